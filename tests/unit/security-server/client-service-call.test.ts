/**
 * The client proxy's exchange steps, without servers: a gateway stub that
 * answers with answers signed by the fixture's provider, and an in-memory
 * message log with the contract's interface.
 */
import { PassThrough } from 'node:stream';
import {
  DEFAULT_LISTENER_CONFIG,
  OrtooError,
  createLogger,
  createMetricsRegistry,
  envelopeHash,
  xRoadRequestHash,
  verifyRequest,
  type RequestEnvelope,
  type ResponseEnvelope,
  type SignedMessage,
} from '../../../core/src';
import { MessageAnswers } from '../../../security-server/src/client-proxy/message-answers';
import { GATEWAY_GRACE_MS, callService } from '../../../security-server/src/client-proxy/service-call';
import type { ServiceRequest } from '../../../security-server/src/client-proxy/request-envelope';
import { ConfHolder } from '../../../security-server/src/conf-holder';
import type { SecurityServerConfig } from '../../../security-server/src/config';
import type { SecurityServerDeps } from '../../../security-server/src/deps';
import type {
  ExchangeStatus,
  GatewayAnswer,
  SubmitOptions,
} from '../../../security-server/src/gateway-client';
import type { AuthenticatedLocalSystem } from '../../../security-server/src/local-systems';
import {
  EXCHANGE_IDS as ids,
  EXCHANGE_NOW,
  createExchangeFixture,
  signAnswer,
  signRequest,
} from '../../helpers/exchange-fixtures';

type Entry = { direction: 'sent' | 'received'; message: SignedMessage; localSystem?: string };

/** The message log's interface over an array: for unit tests only. */
class MemoryMessageLog {
  readonly entries: Entry[] = [];
  async record(entry: Entry): Promise<void> {
    this.entries.push(entry);
  }
  async request(id: string, lookup: { direction?: 'sent' | 'received'; requestHash?: string } = {}) {
    return this.#find(id, 'request', lookup.direction, lookup.requestHash) as
      SignedMessage<RequestEnvelope> | undefined;
  }
  async answer(id: string, lookup: { direction?: 'sent' | 'received'; requestHash?: string } = {}) {
    return this.#find(id, 'response', lookup.direction, lookup.requestHash) as
      SignedMessage<ResponseEnvelope> | undefined;
  }
  #find(id: string, kind: string, direction?: string, requestHash?: string): SignedMessage | undefined {
    return this.entries.findLast(
      ({ message, direction: logged }) =>
        message.envelope.id === id &&
        message.envelope.kind === kind &&
        (direction === undefined || logged === direction) &&
        (requestHash === undefined ||
          (message.envelope.kind === 'response'
            ? message.envelope.requestHash === requestHash
            : envelopeHash(message.envelope) === requestHash)),
    )?.message;
  }
}

const fixture = createExchangeFixture();
const { signers, conf } = fixture;

/** A gateway that answers as told, keeping what it was sent. */
class StubGateway {
  readonly submitted: { message: SignedMessage<RequestEnvelope>; options: SubmitOptions }[] = [];
  answerWith: (message: SignedMessage<RequestEnvelope>) => GatewayAnswer = (message) => ({
    status: 200,
    // Off the wire, as parsed JSON.
    body: JSON.parse(JSON.stringify(signAnswer(message, signers.provider))),
  });
  statusOf: (id: string) => ExchangeStatus = (id) => {
    throw new OrtooError('NotFound', `No message ${id}`);
  };
  statusCalls = 0;

  async submit(message: SignedMessage<RequestEnvelope>, options: SubmitOptions = {}): Promise<GatewayAnswer> {
    this.submitted.push({ message, options });
    return this.answerWith(message);
  }
  async status(id: string): Promise<ExchangeStatus> {
    this.statusCalls += 1;
    await new Promise((resolve) => setImmediate(resolve));
    return this.statusOf(id);
  }
}

const config = {
  instance: 'MN',
  serverId: ids.consumerServer,
  gateway: { url: 'http://127.0.0.1:9', exchangeUrl: 'https://127.0.0.1:9' },
  clientProxy: { host: '127.0.0.1', port: 0 },
  providerProxy: { host: '127.0.0.1', port: 0, address: 'https://127.0.0.1:9' },
  dataDir: '/nonexistent',
  bodyLimitBytes: 1024 * 1024,
  services: [],
  localSystems: [],
  messageLog: { retentionDays: 365 },
  globalConfRefreshSeconds: 60,
  limits: { ...DEFAULT_LISTENER_CONFIG },
  clockSkewToleranceSeconds: 120,
  logLevel: 'error',
} satisfies SecurityServerConfig;

function setUp() {
  const log = new MemoryMessageLog();
  const gateway = new StubGateway();
  const deps: SecurityServerDeps = {
    config,
    identity: {
      serverId: ids.consumerServer,
      memberId: ids.consumerMember,
      signer: signers.consumer.signer,
      signCertificate: signers.consumer.certificate,
      tls: { certificatePem: '', keyPem: '', thumbprint: '' },
      caPem: [fixture.ca.certificate.pem],
    },
    conf: new ConfHolder({ current: () => conf, refresh: () => Promise.resolve('not-modified' as const) }),
    messageLog: log as unknown as SecurityServerDeps['messageLog'],
    logger: createLogger({ service: 'test', level: 'error', stream: new PassThrough() }),
    metrics: createMetricsRegistry({ collectDefault: false }),
    clock: () => EXCHANGE_NOW,
  };
  return { log, gateway, context: { deps, gateway } };
}

const portal: AuthenticatedLocalSystem = {
  name: 'portal',
  clients: new Set([ids.consumer, ids.consumerWithoutRights, ids.clinic, 'MN/GOV/7000001/ghost']),
};

function call(overrides: Partial<ServiceRequest> = {}, headers: Record<string, string> = {}): ServiceRequest {
  return {
    method: 'POST',
    service: ids.person,
    path: '/lookup',
    query: 'full=1',
    headers: { 'x-road-client': ids.consumer, 'content-type': 'application/json', ...headers },
    body: Buffer.from(JSON.stringify({ registerNumber: 'УБ99010112' })),
    ...overrides,
  };
}

describe('callService', () => {
  it('signs, logs, sends, verifies and logs the answer, and answers as X-Road does', async () => {
    const { log, gateway, context } = setUp();
    const answer = await callService(
      context,
      portal,
      call({}, { 'x-road-id': 'msg-1', 'x-road-userid': 'MN-17' }),
    );

    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body?.toString('utf8') ?? '')).toEqual({
      name: 'Бат-Эрдэнэ',
      registerNumber: 'УБ99010112',
    });
    const [sent] = gateway.submitted;
    expect(sent?.options).toEqual({ async: false, callback: false, timeoutMs: 30000 + GATEWAY_GRACE_MS });
    const request = sent!.message;
    expect(request.envelope).toMatchObject({
      id: 'msg-1',
      client: ids.consumer,
      service: ids.person,
      method: 'POST',
      path: '/lookup',
      query: 'full=1',
      userId: 'MN-17',
      issuedAt: EXCHANGE_NOW.toISOString(),
    });
    // Signed by this server's member, as the gateway and the provider check it.
    expect(verifyRequest(fixture.index, request).memberId).toBe(ids.consumerMember);
    expect(answer.headers).toMatchObject({
      'X-Road-Id': 'msg-1',
      'X-Road-Client': ids.consumer,
      'X-Road-Service': ids.person,
      'X-Road-Request-Hash': xRoadRequestHash(request),
      'X-Road-Request-Id': request.envelope.nonce,
    });
    expect(
      log.entries.map((entry) => [entry.direction, entry.message.envelope.kind, entry.localSystem]),
    ).toEqual([
      ['sent', 'request', 'portal'],
      ['received', 'response', 'portal'],
    ]);
    expect(log.entries[0]?.message).toBe(request);
  });

  it.each([
    ['a client the local system may not act as', { 'x-road-client': 'MN/GOV/7000001/other' }, 'Forbidden'],
    ['a client the configuration does not list', { 'x-road-client': 'MN/GOV/7000001/ghost' }, 'AccessDenied'],
    ['a client of another member', { 'x-road-client': ids.clinic }, 'SecurityServerMismatch'],
    ['no X-Road-Client', { 'x-road-client': '' }, 'BadRequest'],
    ['a service version that does not exist', { 'x-ortoo-service-version': 'v9' }, 'UnknownService'],
  ])('refuses %s before anything is logged or sent', async (_what, headers, code) => {
    const { log, gateway, context } = setUp();
    await expect(callService(context, portal, call({}, headers))).rejects.toMatchObject({ code });
    expect(log.entries).toEqual([]);
    expect(gateway.submitted).toEqual([]);
  });

  it.each([
    [ids.unknownService, 'UnknownService', 404],
    [ids.address, 'ServiceDisabled', 403],
  ])('refuses %s as %s', async (service, code, status) => {
    const { gateway, context } = setUp();
    await expect(callService(context, portal, call({ service }))).rejects.toMatchObject({ code, status });
    expect(gateway.submitted).toEqual([]);
  });

  it('refuses what the envelope schema would refuse, before it is logged', async () => {
    const { log, context } = setUp();
    await expect(
      callService(context, portal, call({}, { 'x-road-userid': 'a\u0001b' })),
    ).rejects.toMatchObject({
      code: 'InvalidEnvelope',
    });
    expect(log.entries).toEqual([]);
  });

  it('passes the gateway’s refusal on, the request logged as sent', async () => {
    const { log, gateway, context } = setUp();
    gateway.answerWith = () => {
      throw new OrtooError('AccessDenied', 'no right', { detail: { client: ids.consumer } });
    };
    await expect(callService(context, portal, call())).rejects.toMatchObject({
      code: 'AccessDenied',
      message: 'no right',
      detail: { client: ids.consumer },
    });
    expect(log.entries.map((entry) => entry.direction)).toEqual(['sent']);
  });

  it('points a timeout at /r1/messages, where the answer can be read later', async () => {
    const { gateway, context } = setUp();
    gateway.answerWith = (message) => {
      throw new OrtooError('ExchangeTimeout', 'late', {
        detail: { id: message.envelope.id, statusUrl: `/v1/exchange/${message.envelope.id}` },
      });
    };
    await expect(callService(context, portal, call({}, { 'x-road-id': 'slow-1' }))).rejects.toMatchObject({
      code: 'ExchangeTimeout',
      detail: { id: 'slow-1', statusUrl: '/r1/messages/slow-1' },
    });
  });

  it('tells a local system whose call broke off that the gateway may have taken it, and where to look', async () => {
    const { gateway, context } = setUp();
    gateway.answerWith = () => {
      throw new OrtooError('GatewayUnavailable', 'The gateway cannot be reached', {
        detail: { reason: 'ECONNRESET' },
      });
    };
    await expect(callService(context, portal, call({}, { 'x-road-id': 'cut-1' }))).rejects.toMatchObject({
      code: 'GatewayUnavailable',
      message: expect.stringContaining('resend it with the same X-Road-Id'),
      detail: { reason: 'ECONNRESET', id: 'cut-1', statusUrl: '/r1/messages/cut-1' },
    });
  });

  it.each([
    ['signed by another member', (m: SignedMessage<RequestEnvelope>) => signAnswer(m, signers.clinic)],
    [
      'bound to another request',
      (m: SignedMessage<RequestEnvelope>) =>
        signAnswer({ ...m, envelope: { ...m.envelope, nonce: 'x'.repeat(22) } }, signers.provider),
    ],
  ])('refuses an answer %s as InvalidAnswer, and does not log it', async (_what, answer) => {
    const { log, gateway, context } = setUp();
    gateway.answerWith = (message) => ({ status: 200, body: answer(message) });
    await expect(callService(context, portal, call())).rejects.toMatchObject({
      code: 'InvalidAnswer',
      status: 502,
    });
    expect(log.entries.map((entry) => entry.direction)).toEqual(['sent']);
  });

  it('answers 202 for Prefer: respond-async, asking the gateway for a callback', async () => {
    const { gateway, context } = setUp();
    gateway.answerWith = (message) => ({
      status: 202,
      body: { id: message.envelope.id, status: 'queued', statusUrl: `/v1/exchange/${message.envelope.id}` },
    });
    const answer = await callService(
      context,
      portal,
      call({}, { 'x-road-id': 'async-1', prefer: 'respond-async' }),
    );
    expect(gateway.submitted[0]?.options).toMatchObject({ async: true, callback: true });
    expect(answer.status).toBe(202);
    expect(answer.headers).toMatchObject({ Location: '/r1/messages/async-1', 'X-Road-Id': 'async-1' });
    expect(JSON.parse(answer.body?.toString('utf8') ?? '')).toEqual({
      id: 'async-1',
      status: 'queued',
      statusUrl: '/r1/messages/async-1',
    });
  });
});

describe('MessageAnswers', () => {
  /** A logged (sent) request of the portal's client, and the provider's answer to it. */
  async function sentRequest(log: MemoryMessageLog, id: string, client: string = ids.consumer) {
    const request = signRequest(signers.consumer, { id, client });
    await log.record({ direction: 'sent', message: request, localSystem: 'portal' });
    return { request, answer: signAnswer(request, signers.provider) };
  }

  it('answers from the message log when the answer is there', async () => {
    const { log, gateway, context } = setUp();
    const { request, answer } = await sentRequest(log, 'logged-1');
    await log.record({ direction: 'received', message: answer });
    const http = await new MessageAnswers(context).answer(portal, 'logged-1');
    expect(http.status).toBe(200);
    expect(http.headers['X-Road-Request-Hash']).toBe(xRoadRequestHash(request));
    expect(gateway.statusCalls).toBe(0);
  });

  it('takes no logged answer bound to another request with the same id', async () => {
    const { log, gateway, context } = setUp();
    const { request, answer } = await sentRequest(log, 'reused-1');
    const stranger = signRequest(signers.consumer, { id: 'reused-1', client: ids.consumerWithoutRights });
    await log.record({ direction: 'received', message: signAnswer(stranger, signers.provider) });
    gateway.statusOf = (id) => ({ id, state: 'delivered', attempts: 1, answer });
    const http = await new MessageAnswers(context).answer(portal, 'reused-1');
    expect(http.headers['X-Road-Request-Hash']).toBe(xRoadRequestHash(request));
    expect(gateway.statusCalls).toBe(1);
  });

  it('fetches a delivered answer from the gateway, verifies it and logs it once', async () => {
    const { log, gateway, context } = setUp();
    const { answer } = await sentRequest(log, 'delivered-1');
    gateway.statusOf = (id) => ({
      id,
      state: 'delivered',
      attempts: 1,
      answer: JSON.parse(JSON.stringify(answer)),
    });
    const answers = new MessageAnswers(context);
    const [first, second] = await Promise.all([
      answers.answer(portal, 'delivered-1'),
      answers.answer(portal, 'delivered-1'),
    ]);
    expect(first).toEqual(second);
    expect(first.status).toBe(200);
    expect(gateway.statusCalls).toBe(1);
    expect(log.entries.filter((entry) => entry.direction === 'received')).toHaveLength(1);
    // Now from the log.
    await answers.answer(portal, 'delivered-1');
    expect(gateway.statusCalls).toBe(1);
  });

  it('answers 202 with the state while the delivery goes on', async () => {
    const { log, gateway, context } = setUp();
    await sentRequest(log, 'pending-1');
    gateway.statusOf = (id) => ({
      id,
      state: 'retrying',
      attempts: 2,
      reason: { type: 'Server.ServerProxy.ProviderUnavailable', message: 'down' },
    });
    const http = await new MessageAnswers(context).answer(portal, 'pending-1');
    expect(http.status).toBe(202);
    expect(JSON.parse(http.body?.toString('utf8') ?? '')).toEqual({
      id: 'pending-1',
      state: 'retrying',
      attempts: 2,
      reason: { type: 'Server.ServerProxy.ProviderUnavailable', message: 'down' },
    });
  });

  it('gives a dead letter as DeliveryFailed with the gateway’s reason', async () => {
    const { log, gateway, context } = setUp();
    await sentRequest(log, 'dead-1');
    const reason = { type: 'Server.ServerProxy.NetworkError', message: 'backend down' };
    gateway.statusOf = (id) => ({ id, state: 'dead-lettered', attempts: 3, reason });
    await expect(new MessageAnswers(context).answer(portal, 'dead-1')).rejects.toMatchObject({
      code: 'DeliveryFailed',
      status: 502,
      detail: { id: 'dead-1', reason },
    });
  });

  it('refuses a delivered answer that does not verify', async () => {
    const { log, gateway, context } = setUp();
    const { request } = await sentRequest(log, 'forged-1');
    gateway.statusOf = (id) => ({
      id,
      state: 'delivered',
      attempts: 1,
      answer: signAnswer(request, signers.clinic),
    });
    await expect(new MessageAnswers(context).answer(portal, 'forged-1')).rejects.toMatchObject({
      code: 'InvalidAnswer',
    });
    expect(log.entries.filter((entry) => entry.direction === 'received')).toEqual([]);
  });

  it('knows no message of another local system’s clients, nor an unknown one', async () => {
    const { log, context } = setUp();
    await sentRequest(log, 'theirs-1', ids.consumerWithoutRights);
    const other: AuthenticatedLocalSystem = { name: 'other', clients: new Set([ids.consumer]) };
    const answers = new MessageAnswers(context);
    await expect(answers.answer(other, 'theirs-1')).rejects.toMatchObject({ code: 'NotFound', status: 404 });
    await expect(answers.answer(portal, 'never-sent')).rejects.toMatchObject({ code: 'NotFound' });
    await expect(answers.answer(portal, 'not an id')).rejects.toMatchObject({ code: 'NotFound' });
  });
});
