/**
 * The provider proxy over mutual TLS, with a real backend and a real message
 * log, against the exchange fixture's global configuration (fixed dates:
 * the server's clock is {@link EXCHANGE_NOW}). The caller plays the gateway.
 */
import { randomBytes } from 'node:crypto';
import {
  GlobalConfIndex,
  verifyAnswer,
  type GlobalConf,
  type RequestEnvelope,
  type ResponseEnvelope,
  type SignedMessage,
  type SqlStore,
} from '../../../core/src';
import type { ServiceMapping } from '../../../security-server/src/config';
import type { ServerIdentity } from '../../../security-server/src/deps';
import {
  EXCHANGE_IDS as ids,
  EXCHANGE_NOW,
  createExchangeFixture,
  resign,
  serviceVersion,
  signAnswer,
  signRequest,
} from '../../helpers/exchange-fixtures';
import { createServerIdentity } from '../../helpers/server-identity';
import { eventually } from '../../helpers/eventually';
import {
  TestBackend,
  TlsCaller,
  closedPort,
  loggedCounts,
  openTestMessageLog,
  providerDeps,
  quietLogger,
  startProviderProxy,
  testConfig,
  type CallAnswer,
  type RunningProviderProxy,
} from './provider-support';

/** A service of the consumer's member: registered, but not this provider's. */
const CONSUMER_SERVICE = `${ids.consumer}/notify`;
const BODY_LIMIT = 64 * 1024;

const fixture = createExchangeFixture();
const { signers } = fixture;
const gatewayTls = createServerIdentity(fixture.ca, { serverId: 'MN/GOV/0000001/gateway' }).auth;
const providerTls = createServerIdentity(fixture.ca, { serverId: ids.providerServers[0] }).auth;
const strangerTls = createServerIdentity(fixture.ca, { serverId: ids.consumerServer }).auth;
const conf: GlobalConf = {
  ...fixture.conf,
  gatewayCertificates: [
    {
      thumbprint: gatewayTls.thumbprint,
      serial: gatewayTls.certificate.serialNumber,
      pem: gatewayTls.certificatePem,
    },
  ],
  services: [...fixture.conf.services, serviceVersion(CONSUMER_SERVICE, 'v1', { providerId: ids.consumer })],
};
const index = GlobalConfIndex.from(conf);
const caPem = [fixture.ca.certificate.pem];

const identity: ServerIdentity = {
  serverId: ids.providerServers[0],
  memberId: ids.providerMember,
  signer: signers.provider.signer,
  signCertificate: signers.provider.certificate,
  tls: {
    certificatePem: providerTls.certificatePem,
    keyPem: providerTls.keyPem,
    thumbprint: providerTls.thumbprint,
  },
  caPem,
};

let backend: TestBackend;
let proxy: RunningProviderProxy;
let closeLog: () => Promise<void>;
let logStore: SqlStore;
const gateway = new TlsCaller(gatewayTls, caPem);
const stranger = new TlsCaller(strangerTls, caPem);

beforeAll(async () => {
  backend = await TestBackend.start();
  const logger = quietLogger();
  const log = await openTestMessageLog(identity.signer, logger);
  closeLog = log.close;
  logStore = log.store;
  // person: the current version (v10) on the backend, v1 on it with a short timeout, v2 on a dead port.
  const services: ServiceMapping[] = [
    { serviceId: ids.person, backendUrl: `${backend.url}/person`, timeoutMs: 5000 },
    { serviceId: ids.person, version: 'v1', backendUrl: `${backend.url}/person`, timeoutMs: 300 },
    {
      serviceId: ids.person,
      version: 'v2',
      backendUrl: `http://127.0.0.1:${await closedPort()}`,
      timeoutMs: 5000,
    },
    // Mapped by mistake: the global configuration says another member provides it.
    { serviceId: CONSUMER_SERVICE, backendUrl: `${backend.url}/notify`, timeoutMs: 5000 },
  ];
  proxy = await startProviderProxy(
    providerDeps({
      config: testConfig(identity.serverId, services, { bodyLimitBytes: BODY_LIMIT }),
      identity,
      conf: () => conf,
      messageLog: log.messageLog,
      logger,
      clock: () => EXCHANGE_NOW,
    }),
  );
});

afterAll(async () => {
  gateway.close();
  stranger.close();
  await proxy?.close();
  await backend?.close();
  await closeLog?.();
});

beforeEach(() => {
  backend.hits.length = 0;
  backend.handle((hit, res) => {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(
      JSON.stringify({
        name: 'Бат-Эрдэнэ',
        echo: hit.body.length > 0 ? JSON.parse(hit.body.toString()) : null,
      }),
    );
  });
});

const deliver = (message: unknown, as: TlsCaller = gateway) => as.post(`${proxy.url}/v1/deliver`, message);

function expectError(answer: CallAnswer, status: number, type: string): void {
  expect({
    status: answer.status,
    header: answer.headers['x-road-error'],
    type: (answer.body as { type?: string }).type,
  }).toEqual({
    status,
    header: type,
    type,
  });
  expect(answer.body).toEqual(expect.objectContaining({ message: expect.any(String) }));
}

function verified(
  answer: CallAnswer,
  request: SignedMessage<RequestEnvelope>,
): SignedMessage<ResponseEnvelope> {
  expect(answer.status).toBe(200);
  return verifyAnswer(index, answer.body, request, ids.providerMember);
}

describe('POST /v1/deliver', () => {
  it('calls the backend with the request and answers its JSON answer signed, Cyrillic intact', async () => {
    backend.handle((hit, res) => {
      res
        .writeHead(200, {
          'content-type': 'application/json; charset=utf-8',
          etag: '"v7"',
          'set-cookie': 'session=secret',
          'x-backend-trace': 'b-7',
          server: 'backend/1.0',
        })
        .end(JSON.stringify({ name: 'Бат-Эрдэнэ Должин', echo: JSON.parse(hit.body.toString('utf8')) }));
    });
    const request = signRequest(signers.consumer, {
      query: 'lang=mn&fields=name',
      issue: 'Иргэний хэрэг №5',
      headers: { accept: 'application/json', 'accept-language': 'mn-MN' },
    });
    const answer = await deliver(request);
    const signed = verified(answer, request);
    expect(answer.headers['x-road-id']).toBe(request.envelope.id);
    expect(signed.envelope.status).toBe(200);
    // Every end-to-end header of the backend (its own too), not its cookie nor its server name.
    expect(signed.envelope.headers).toEqual({
      etag: '"v7"',
      'x-backend-trace': 'b-7',
      date: expect.any(String),
    });
    expect(signed.body).toEqual({ name: 'Бат-Эрдэнэ Должин', echo: { registerNumber: 'УБ99010112' } });

    expect(backend.hits).toHaveLength(1);
    const [hit] = backend.hits;
    expect(hit?.method).toBe('POST');
    expect(hit?.url).toBe('/api/person/lookup?lang=mn&fields=name');
    expect(hit?.headers).toMatchObject({
      'x-road-client': ids.consumer,
      'x-road-service': ids.person,
      'x-road-id': request.envelope.id,
      'x-road-userid': 'MN-officer-17',
      'x-ortoo-service-version': 'v10',
      accept: 'application/json',
      'accept-language': 'mn-MN',
      'content-type': 'application/json',
    });
    expect(Buffer.from(String(hit?.headers['x-road-issue']), 'latin1').toString('utf8')).toBe(
      'Иргэний хэрэг №5',
    );

    const { messageLog } = proxy.deps;
    expect(await messageLog.request(request.envelope.id)).toEqual(request);
    expect(await messageLog.answer(request.envelope.id)).toEqual(answer.body);
  });

  it('carries a binary body both ways as its exact bytes', async () => {
    backend.handle((hit, res) => {
      res
        .writeHead(200, { 'content-type': 'application/octet-stream' })
        .end(Buffer.concat([hit.body, Buffer.from([0xff])]));
    });
    const bytes = Buffer.concat([Buffer.from('%PDF-1.7 Иргэний үнэмлэх\n'), randomBytes(4096)]);
    const request = signRequest(signers.consumer, { body: { contentType: 'application/pdf', bytes } });
    const answer = await deliver(request);
    const signed = verified(answer, request);
    expect(backend.hits[0]?.body).toEqual(bytes);
    expect(backend.hits[0]?.headers['content-type']).toBe('application/pdf');
    expect(signed.envelope.contentType).toBe('application/octet-stream');
    expect(Buffer.from(signed.body as string, 'base64')).toEqual(Buffer.concat([bytes, Buffer.from([0xff])]));
  });

  it('signs a backend’s own error status as an answer, not as a failure', async () => {
    backend.handle((_hit, res) => {
      res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"Дотоод алдаа"}');
    });
    const request = signRequest(signers.consumer);
    const signed = verified(await deliver(request), request);
    expect(signed.envelope.status).toBe(500);
    expect(signed.body).toEqual({ error: 'Дотоод алдаа' });

    backend.handle((_hit, res) => {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Олдсонгүй');
    });
    const missing = signRequest(signers.consumer, { method: 'GET', path: '/УБ00000000', body: undefined });
    const notFound = verified(await deliver(missing), missing);
    expect(notFound.envelope.status).toBe(404);
    expect(Buffer.from(notFound.body as string, 'base64').toString('utf8')).toBe('Олдсонгүй');
    expect(backend.hits[1]?.url).toBe(`/api/person/${encodeURIComponent('УБ00000000')}`);
  });

  it('answers 503 BackendUnavailable when the backend is down, and logs no answer', async () => {
    const request = signRequest(signers.consumer, { serviceVersion: 'v2' });
    const answer = await deliver(request);
    expectError(answer, 503, 'Server.ServerProxy.NetworkError');
    expect(await loggedCounts(logStore, request.envelope.id)).toEqual({ 'received request': 1 });
  });

  it('answers 504 BackendTimeout when the backend is slower than its timeout', async () => {
    backend.handle(async (_hit, res) => {
      await backend.sleep(3000);
      res.writeHead(200).end();
    });
    const started = Date.now();
    const answer = await deliver(signRequest(signers.consumer, { serviceVersion: 'v1' }));
    expectError(answer, 504, 'Server.ServerProxy.BackendTimeout');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('calls the backend again after an attempt it refused before the request was sent (down)', async () => {
    backend.handle((_hit, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
    const request = signRequest(signers.consumer);
    await backend.stop();
    try {
      expectError(await deliver(request), 503, 'Server.ServerProxy.NetworkError');
    } finally {
      await backend.resume();
    }
    expect(verified(await deliver(request), request).body).toEqual({ ok: true });
    expect(backend.hits).toHaveLength(1);
  });

  /** A backend that cuts off its first answer midway (it may have acted) and answers the next ones. */
  function cutOffOnce(): void {
    let calls = 0;
    backend.handle((_hit, res) => {
      calls += 1;
      if (calls === 1) {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' }).write('{"par');
        setImmediate(() => res.socket?.destroy());
      } else res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  }

  it('never calls a POST twice: after an attempt of unknown outcome a redelivery is OutcomeUnknown', async () => {
    cutOffOnce();
    const request = signRequest(signers.consumer);
    expectError(await deliver(request), 503, 'Server.ServerProxy.NetworkError');
    expectError(await deliver(request), 502, 'Server.ServerProxy.OutcomeUnknown');
    expect(backend.hits).toHaveLength(1);
  });

  it('calls an idempotent method (GET) again after an attempt of unknown outcome', async () => {
    cutOffOnce();
    const request = signRequest(signers.consumer, { method: 'GET', path: '/УБ99010112', body: undefined });
    expectError(await deliver(request), 503, 'Server.ServerProxy.NetworkError');
    expect(verified(await deliver(request), request).body).toEqual({ ok: true });
    expect(backend.hits).toHaveLength(2);
    expect(backend.hits.map((hit) => hit.headers['x-road-id'])).toEqual([
      request.envelope.id,
      request.envelope.id,
    ]);
  });

  it('answers a redelivered message from the message log: the backend is called once', async () => {
    const request = signRequest(signers.consumer);
    const first = await deliver(request);
    const again = await deliver(request);
    verified(first, request);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(backend.hits).toHaveLength(1);
    // The answer's record is committed just after it went back (group commit, off the gateway's path).
    const counts = await eventually('the answer logged', async () => {
      const logged = await loggedCounts(logStore, request.envelope.id);
      return logged['sent response'] === undefined ? undefined : logged;
    });
    expect(counts).toEqual({ 'received request': 1, 'sent response': 1 });
  });

  it('answers duplicates that arrive while the first is being answered with the same answer', async () => {
    backend.handle(async (_hit, res) => {
      await backend.sleep(200);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"once":true}');
    });
    const request = signRequest(signers.consumer);
    const answers = await Promise.all([deliver(request), deliver(request), deliver(request)]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(answers[1]?.body).toEqual(answers[0]?.body);
    expect(answers[2]?.body).toEqual(answers[0]?.body);
    expect(backend.hits).toHaveLength(1);
  });

  it('answers another request under an id already used with a backend call of its own', async () => {
    const request = signRequest(signers.consumer);
    const first = verified(await deliver(request), request);
    const other = signRequest(signers.consumer, { id: request.envelope.id, query: 'again=1' });
    const second = verified(await deliver(other), other);
    expect(second.envelope.requestHash).not.toBe(first.envelope.requestHash);
    expect(backend.hits).toHaveLength(2);
  });

  it('lets in no one but the gateway', async () => {
    const answer = await deliver(signRequest(signers.consumer), stranger);
    expectError(answer, 403, 'Client.Forbidden');
    expect(backend.hits).toHaveLength(0);
  });

  it('refuses a request whose consumer signature does not verify (401 InvalidSignature)', async () => {
    const request = signRequest(signers.consumer);
    const forged = { ...request, envelope: { ...request.envelope, userId: 'MN-intruder' } };
    expectError(await deliver(forged), 401, 'Client.InvalidSignature');
    expect(backend.hits).toHaveLength(0);
  });

  it('refuses a client without an access right, even though the gateway forwarded it', async () => {
    const request = signRequest(signers.consumer, { client: ids.consumerWithoutRights });
    expectError(await deliver(request), 403, 'Client.AccessDenied');
    expect(backend.hits).toHaveLength(0);
    expect(await loggedCounts(logStore, request.envelope.id)).toEqual({});
  });

  it('refuses a service of another member, even one mapped by mistake', async () => {
    const request = signRequest(signers.consumer, { service: CONSUMER_SERVICE });
    const answer = await deliver(request);
    expectError(answer, 404, 'Client.UnknownService');
    expect((answer.body as { detail?: unknown }).detail).toMatchObject({ reason: 'other-member' });
    expect(backend.hits).toHaveLength(0);
  });

  it('refuses a service this server does not map to a backend', async () => {
    const request = signRequest(signers.consumer, { service: ids.vehicle, serviceVersion: 'v1' });
    const answer = await deliver(request);
    expectError(answer, 404, 'Client.UnknownService');
    expect((answer.body as { detail?: unknown }).detail).toMatchObject({ reason: 'not-mapped' });
  });

  it('refuses a message over the body limit (413), and a backend answer over it (502)', async () => {
    const big = signRequest(signers.consumer, {
      body: {
        contentType: 'application/json',
        json: { registerNumber: 'УБ99010112', note: 'ш'.repeat(BODY_LIMIT) },
      },
    });
    expectError(await deliver(big), 413, 'Client.PayloadTooLarge');
    expect(backend.hits).toHaveLength(0);

    backend.handle((_hit, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(Buffer.alloc(BODY_LIMIT + 1));
    });
    expectError(await deliver(signRequest(signers.consumer)), 502, 'Server.ServerProxy.InvalidAnswer');
  });

  it('refuses what is not a signed request', async () => {
    expectError(
      await gateway.post(`${proxy.url}/v1/deliver`, undefined, Buffer.from('{"a":')),
      400,
      'Client.BadRequest',
    );
    expectError(await deliver({ envelope: {} }), 400, 'Client.InvalidEnvelope');
    expectError(
      await deliver(signAnswer(signRequest(signers.consumer), signers.provider)),
      400,
      'Client.InvalidEnvelope',
    );
  });
});

describe('POST /v1/answers', () => {
  const answers = (message: unknown, as: TlsCaller = gateway) => as.post(`${proxy.url}/v1/answers`, message);

  it('takes an answer to a request this server sent, verified, and logs it once', async () => {
    const request = signRequest(signers.provider, { client: ids.provider });
    await proxy.deps.messageLog.record({ direction: 'sent', message: request });
    const answer = signAnswer(request, signers.provider);
    const taken = await answers(answer);
    expect(taken.status).toBe(204);
    expect(await proxy.deps.messageLog.answer(request.envelope.id)).toEqual(answer);
    expect((await answers(answer)).status).toBe(204);
    expect(await loggedCounts(logStore, request.envelope.id)).toEqual({
      'sent request': 1,
      'received response': 1,
    });
  });

  it('refuses an answer to no request of this server (404), and one that does not verify (502)', async () => {
    const unknown = signRequest(signers.provider, { client: ids.provider });
    expectError(await answers(signAnswer(unknown, signers.provider)), 404, 'Client.NotFound');

    const request = signRequest(signers.provider, { client: ids.provider });
    await proxy.deps.messageLog.record({ direction: 'sent', message: request });
    const tampered = resign(signAnswer(request, signers.provider), { status: 201 }, signers.consumer);
    expectError(await answers(tampered), 502, 'Server.ServerProxy.InvalidAnswer');
    expect(await proxy.deps.messageLog.answer(request.envelope.id)).toBeUndefined();
  });

  it('lets in no one but the gateway', async () => {
    const request = signRequest(signers.provider, { client: ids.provider });
    expectError(await answers(signAnswer(request, signers.provider), stranger), 403, 'Client.Forbidden');
  });
});

it('answers 404 NotFound on any other route', async () => {
  expectError(await gateway.post(`${proxy.url}/v1/other`, {}), 404, 'Client.NotFound');
});
