/**
 * The provider proxy behind the real gateway: the router's workers deliver
 * to it over mutual TLS (pinned to the server's registered certificate),
 * check its signed answers (signature, request hash, response schema) and
 * retry it when it reports its backend unavailable.
 */
import { verifyAnswer, GlobalConfIndex, type ResponseEnvelope, type SignedMessage } from '../../../core/src';
import { bumpRegistryVersion } from '../../../gateway/src/registry/registry-version';
import type { ServerIdentity } from '../../../security-server/src/deps';
import {
  CONSUMER,
  PERSON_SERVICE,
  personAnswer,
  startExchangeNetwork,
  type ExchangeNetwork,
} from '../../helpers/exchange-network';
import {
  TestBackend,
  openTestMessageLog,
  providerDeps,
  quietLogger,
  startProviderProxy,
  testConfig,
  type RunningProviderProxy,
} from './provider-support';
import { eventually } from '../../helpers/eventually';

describe('the provider proxy behind the gateway', () => {
  let network: ExchangeNetwork;
  let backend: TestBackend;
  let proxy: RunningProviderProxy;
  let closeLog: (() => Promise<void>) | undefined;
  let index: GlobalConfIndex;

  beforeAll(async () => {
    // Retries that outlast the backend's short outage below.
    network = await startExchangeNetwork({ service: { retryPolicy: { maxAttempts: 10, backoffMs: 100 } } });
    backend = await TestBackend.start();
    const { gateway, providerIdentity: test } = network;
    const identity: ServerIdentity = {
      serverId: test.serverId,
      memberId: test.memberId,
      signer: test.sign.signer,
      signCertificate: test.sign.certificate,
      tls: {
        certificatePem: test.auth.certificatePem,
        keyPem: test.auth.keyPem,
        thumbprint: test.auth.thumbprint,
      },
      caPem: [gateway.deps.trust.ca.certificate.pem],
    };
    const logger = quietLogger();
    const log = await openTestMessageLog(identity.signer, logger);
    closeLog = log.close;
    // The global configuration as the gateway publishes it (the server's own client keeps a verified copy).
    const { conf } = await gateway.deps.globalConf.current();
    index = GlobalConfIndex.from(conf);
    proxy = await startProviderProxy(
      providerDeps({
        config: testConfig(identity.serverId, [
          { serviceId: PERSON_SERVICE, backendUrl: `${backend.url}/person`, timeoutMs: 2000 },
        ]),
        identity,
        conf: () => conf,
        messageLog: log.messageLog,
        logger,
      }),
    );
    // The provider's server now answers at the proxy's address instead of the test endpoint.
    await network.provider.stop();
    await gateway.store.query('UPDATE security_servers SET address = $2 WHERE id = $1', [
      identity.serverId,
      proxy.url,
    ]);
    await bumpRegistryVersion(gateway.store);
    gateway.deps.globalConf.noteChange();
  });

  afterAll(async () => {
    await network?.close();
    await proxy?.close();
    await backend?.close();
    await closeLog?.();
  });

  beforeEach(() => {
    backend.hits.length = 0;
    backend.handle((hit, res) => {
      const { registerNumber } = JSON.parse(hit.body.toString('utf8')) as { registerNumber: string };
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify(personAnswer(registerNumber)));
    });
  });

  it('answers a consumer’s sync call with its backend’s answer, signed and logged', async () => {
    const request = network.sign({ userId: 'MN-officer-17', issue: 'Иргэний хэрэг №5' });
    const answer = await network.post(request);
    expect(answer.status).toBe(200);
    const signed = verifyAnswer(index, answer.body, request, proxy.deps.identity.memberId);
    expect(signed.envelope.status).toBe(200);
    expect(signed.body).toEqual(personAnswer('УБ99010112'));
    expect(backend.hits).toHaveLength(1);
    expect(backend.hits[0]?.headers).toMatchObject({
      'x-road-client': CONSUMER.client,
      'x-road-service': PERSON_SERVICE,
      'x-road-id': request.envelope.id,
      'x-ortoo-service-version': 'v1',
    });
    expect(await proxy.deps.messageLog.request(request.envelope.id)).toEqual(request);
    // The answer is logged just after it went back (group commit, off the gateway's path).
    expect(
      await eventually('the answer logged', () => proxy.deps.messageLog.answer(request.envelope.id)),
    ).toEqual(answer.body);
    expect(network.provider.received).toEqual([]);
  });

  it('passes a backend’s error status on to the consumer inside the signed answer', async () => {
    backend.handle((_hit, res) => {
      res
        .writeHead(503, { 'content-type': 'application/json', 'retry-after': '120' })
        .end('{"error":"Засвартай"}');
    });
    const request = network.sign();
    const answer = await network.post(request);
    expect(answer.status).toBe(200);
    const signed = answer.body as SignedMessage<ResponseEnvelope>;
    expect(signed.envelope).toMatchObject({ status: 503, headers: { 'retry-after': '120' } });
    expect(backend.hits).toHaveLength(1); // an answer, not a failure: not retried
  });

  it('is answered NetworkError at once while its backend is down, and answers a resend once it is back', async () => {
    backend.handle((hit, res) => {
      const { registerNumber } = JSON.parse(hit.body.toString('utf8')) as { registerNumber: string };
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify(personAnswer(registerNumber)));
    });
    const request = network.sign();
    await backend.stop();
    // Plainly down: the sync caller is told now, not after the service's timeout, and it is not delivered later.
    const refused = await network.post(request);
    expect(refused.status).toBe(503);
    expect(refused.body).toMatchObject({
      type: 'Server.ServerProxy.NetworkError',
      detail: { delivery: 'not-delivered' },
    });
    await backend.resume();
    const answer = await network.post(request);
    expect(answer.status).toBe(200);
    expect((answer.body as SignedMessage<ResponseEnvelope>).body).toEqual(personAnswer('УБ99010112'));
    expect(backend.hits).toHaveLength(1);
  });
});
