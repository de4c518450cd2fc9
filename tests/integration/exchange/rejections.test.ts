import {
  ERROR_KINDS,
  buildRequest,
  envelopeHash,
  parseServiceId,
  signMessage,
  type Certificate,
  type ErrorCode,
  type RequestEnvelope,
  type SignedMessage,
} from '../../../core/src';
import { insertCertificate } from '../../../gateway/src/registry/certificate-repository';
import { searchAuditRecords, toAuditRecord } from '../../../gateway/src/audit/audit-repository';
import { bumpRegistryVersion } from '../../../gateway/src/registry/registry-version';
import { insertService } from '../../../gateway/src/registry/service-repository';
import { ReplayGuard } from '../../../gateway/src/exchange/replay-guard';
import { closeConnection, createRedisConnection } from '../../../gateway/src/redis';
import {
  CONSUMER,
  PERSON_SERVICE,
  PROVIDER,
  TEST_REDIS_URL,
  serviceSettings,
  startExchangeNetwork,
  type ExchangeAnswer,
  type ExchangeNetwork,
} from '../../helpers/exchange-network';
import { insertSubsystems } from '../../helpers/registry-fixtures';
import { createServerIdentity } from '../../helpers/server-identity';

/** Registers one more signing certificate of the consumer's server. */
async function insertCertificateForTest(network: ExchangeNetwork, certificate: Certificate): Promise<void> {
  const { store, deps } = network.gateway;
  await insertCertificate(store, certificate, {
    memberId: network.consumer.memberId,
    securityServerId: CONSUMER.serverId,
    kind: 'sign',
  });
  await bumpRegistryVersion(store);
  deps.globalConf.noteChange();
}

/** Expects a typed refusal: status, `X-Road-Error`, `{type, message}`. */
function expectRefusal(answer: ExchangeAnswer, code: ErrorCode): void {
  const { status, type } = ERROR_KINDS[code];
  expect({ status: answer.status, type: answer.headers['x-road-error'] }).toEqual({ status, type });
  expect(answer.body).toMatchObject({ type, message: expect.any(String) });
}

describe('the gateway pipeline refuses', () => {
  let network: ExchangeNetwork;

  beforeAll(async () => {
    network = await startExchangeNetwork({
      env: { ORTOO_EXCHANGE_BODY_LIMIT_BYTES: '8192', ORTOO_EXCHANGE_FRESHNESS_SECONDS: '30' },
    });
    await network.gateway.store.transaction(async (tx) => {
      await insertSubsystems(tx, [`${CONSUMER.client.split('/').slice(0, 3).join('/')}/no-rights`]);
      await insertService(tx, parseServiceId(PERSON_SERVICE), 'v0', serviceSettings({ enabled: false }));
      await bumpRegistryVersion(tx);
    });
    network.gateway.deps.globalConf.noteChange();
  });

  afterAll(async () => {
    await network.close();
  });

  /** Sends `message`, expects `code`, and checks the refusal was audited at `step` and counted. */
  async function expectRefused(
    message: unknown,
    code: ErrorCode,
    step: string,
    options: Parameters<ExchangeNetwork['post']>[1] = {},
  ): Promise<ExchangeAnswer> {
    const answer = await network.post(message, options);
    expectRefusal(answer, code);
    const metrics = await network.metrics.getSingleMetricAsString('ortoo_gateway_rejections_total');
    expect(metrics).toContain(
      `ortoo_gateway_rejections_total{step="${step}",type="${ERROR_KINDS[code].type}"}`,
    );
    const id = (message as Partial<SignedMessage<RequestEnvelope>> | undefined)?.envelope?.id;
    // A message refused before its body is read is filed without its id.
    const unread = step === 'transport' || step === 'parse';
    const search = typeof id === 'string' && !unread ? { messageId: id } : { event: 'rejected' };
    const rows = await searchAuditRecords(network.gateway.store, search, { limit: 1000 });
    expect(toAuditRecord(rows.at(-1) ?? {})).toMatchObject({
      event: 'rejected',
      outcome: ERROR_KINDS[code].status < 500 ? 'refused' : 'failed',
      errorType: ERROR_KINDS[code].type,
      detail: { step },
    });
    return answer;
  }

  it('a body that is not JSON', async () => {
    await expectRefused(undefined, 'BadRequest', 'parse', { raw: Buffer.from('{"envelope": ') });
  });

  it('a body larger than the limit, before reading it all', async () => {
    await expectRefused(undefined, 'PayloadTooLarge', 'parse', { raw: Buffer.alloc(9000, 0x20) });
  });

  it('a message that does not match the envelope schema', async () => {
    const message = network.sign();
    const { nonce: _nonce, ...envelope } = message.envelope;
    const answer = await expectRefused({ ...message, envelope }, 'InvalidEnvelope', 'envelope');
    expect(answer.body).toMatchObject({ detail: { errors: expect.any(Array) } });
  });

  it('an envelope carrying a header a proxy keeps on its hop', async () => {
    await expectRefused(
      network.sign({ headers: { host: 'backend.internal' } }),
      'InvalidEnvelope',
      'envelope',
    );
  });

  it.each([
    ['unknown', 'MN/GOV/9011311/ss9'],
    ['not of the provider', CONSUMER.serverId],
  ])(
    'an envelope for a security server that is %s (X-Road-Security-Server)',
    async (_what, securityServer) => {
      await expectRefused(network.sign({ securityServer }), 'UnknownTargetServer', 'replay');
    },
  );

  it('a TLS client certificate of no registered server', async () => {
    const stranger = createServerIdentity(network.gateway.deps.trust.ca, { serverId: 'MN/GOV/7000001/ss9' });
    await expectRefused(network.sign(), 'UnknownSecurityServer', 'transport', { as: stranger.auth });
  });

  it("a server sending for another member's client", async () => {
    await expectRefused(network.sign(), 'SecurityServerMismatch', 'caller', {
      as: network.providerIdentity.auth,
    });
  });

  it('a signature that does not verify', async () => {
    const message = network.sign();
    const signature = message.signature.signature;
    const flipped = `${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`;
    await expectRefused(
      { ...message, signature: { ...message.signature, signature: flipped } },
      'InvalidSignature',
      'signature',
    );
  });

  it('a body changed after signing', async () => {
    const message = network.sign();
    await expectRefused(
      { ...message, body: { registerNumber: 'УБ99010113' } },
      'BodyDigestMismatch',
      'signature',
    );
  });

  it('a signer the configuration does not know', async () => {
    const stranger = createServerIdentity(network.gateway.deps.trust.ca, { serverId: 'MN/GOV/7000001/ss9' });
    const message = signMessage(
      buildRequest({ client: CONSUMER.client, service: PERSON_SERVICE, method: 'GET' }),
      stranger.sign.signer,
    );
    await expectRefused(message, 'UnknownSigner', 'signature');
  });

  it("a message signed by another member's certificate", async () => {
    const message = signMessage(
      buildRequest({ client: CONSUMER.client, service: PERSON_SERVICE, method: 'GET' }),
      network.providerIdentity.sign.signer,
    );
    await expectRefused(message, 'WrongSigner', 'signature');
  });

  it('a message signed with a revoked certificate, at once', async () => {
    const extra = createServerIdentity(network.gateway.deps.trust.ca, { serverId: CONSUMER.serverId });
    await insertCertificateForTest(network, extra.sign.certificate);
    const sign = () =>
      signMessage(
        buildRequest({
          client: CONSUMER.client,
          service: PERSON_SERVICE,
          method: 'POST',
          body: { contentType: 'application/json', json: { registerNumber: 'УБ99010112' } },
        }),
        extra.sign.signer,
      );
    expect((await network.post(sign())).status).toBe(200);
    await network.gateway.store.query(
      `UPDATE certificates SET status = 'revoked', revoked_at = now(), revocation_reason = 'key compromise'
       WHERE serial = $1`,
      [extra.sign.certificate.serialNumber],
    );
    await bumpRegistryVersion(network.gateway.store);
    network.gateway.deps.globalConf.noteChange();
    await expectRefused(sign(), 'CertificateRevoked', 'signature');
  });

  it('a message dated after its signing certificate expired', async () => {
    const now = Date.now();
    const shortLived = createServerIdentity(network.gateway.deps.trust.ca, {
      serverId: CONSUMER.serverId,
      validity: { notBefore: new Date(now - 60_000), notAfter: new Date(now + 1_500) },
    });
    await insertCertificateForTest(network, shortLived.sign.certificate);
    const message = signMessage(
      buildRequest(
        { client: CONSUMER.client, service: PERSON_SERVICE, method: 'GET' },
        { now: new Date(now + 2_000) },
      ),
      shortLived.sign.signer,
    );
    await expectRefused(message, 'CertificateExpired', 'signature');
  });

  it('a message signed too long ago', async () => {
    await expectRefused(network.sign({}, new Date(Date.now() - 45_000)), 'StaleMessage', 'freshness');
  });

  it('a message dated too far in the future', async () => {
    await expectRefused(network.sign({}, new Date(Date.now() + 45_000)), 'StaleMessage', 'freshness');
  });

  it('another request under the id of one it took on (a replay)', async () => {
    const message = network.sign();
    expect((await network.post(message)).status).toBe(200);
    await expectRefused(network.sign({ id: message.envelope.id }), 'ReplayedMessage', 'replay');
    expect(network.provider.received.filter((id) => id === message.envelope.id)).toHaveLength(1);
  });

  it('nothing when the same request is sent again (a retry): it gets the first one’s answer', async () => {
    const message = network.sign();
    const first = await network.post(message);
    expect(first.status).toBe(200);
    const again = await network.post(message);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(network.provider.received.filter((id) => id === message.envelope.id)).toHaveLength(1);
  });

  it('nothing when the same request comes again after its first submission never reached the queue', async () => {
    const message = network.sign();
    // As a gateway leaves it that dies between the replay claim and the `accepted` record.
    const redis = createRedisConnection(TEST_REDIS_URL, { purpose: 'command' });
    try {
      const claim = await new ReplayGuard(redis, network.queuePrefix, 60).claim(message.envelope.id, {
        providerServerId: PROVIDER.serverId,
        clientMemberId: network.consumer.memberId,
        consumerServerId: CONSUMER.serverId,
        requestHash: envelopeHash(message.envelope),
      });
      expect(claim).toBeUndefined();
    } finally {
      await closeConnection(redis);
    }
    expect((await network.post(message)).status).toBe(200);
    expect(network.provider.received.filter((id) => id === message.envelope.id)).toHaveLength(1);
  });

  it('an unknown service', async () => {
    await expectRefused(
      network.sign({ service: `${PROVIDER.subsystem}/nothing` }),
      'UnknownService',
      'service',
    );
  });

  it('an unknown version of a service', async () => {
    await expectRefused(network.sign({ serviceVersion: 'v9' }), 'UnknownService', 'service');
  });

  it('a disabled version of a service', async () => {
    await expectRefused(network.sign({ serviceVersion: 'v0' }), 'ServiceDisabled', 'service');
  });

  it('a client without an access right', async () => {
    const client = `${CONSUMER.client.split('/').slice(0, 3).join('/')}/no-rights`;
    await expectRefused(network.sign({ client }), 'AccessDenied', 'access');
  });

  it("a body that violates the service's request schema, naming where", async () => {
    const message = network.sign({
      body: { contentType: 'application/json', json: { registerNumber: 'not a register number' } },
    });
    const answer = await expectRefused(message, 'SchemaViolation', 'schema');
    expect(answer.headers['x-road-id']).toBe(message.envelope.id);
    expect(answer.body).toMatchObject({
      detail: { errors: [expect.objectContaining({ pointer: '/registerNumber' })] },
    });
  });

  it('everything while the audit store is down (fail closed), and accepts again once it is back', async () => {
    const { store } = network.gateway;
    await store.exec('ALTER TABLE audit_log RENAME TO audit_log_away');
    try {
      const message = network.sign();
      const answer = await network.post(message);
      expectRefusal(answer, 'AuditUnavailable');
      // A 503 never says the message was not taken on: the caller is told to resend it under its id.
      expect(answer.body).toMatchObject({
        message: expect.stringContaining('resent with the same X-Road-Id'),
        detail: { id: message.envelope.id },
      });
      expect(network.provider.received).not.toContain(message.envelope.id);
      // Which it does once the store is back: the same request again is taken on.
      await store.exec('ALTER TABLE audit_log_away RENAME TO audit_log');
      expect((await network.post(message)).status).toBe(200);
    } finally {
      await store.exec('ALTER TABLE IF EXISTS audit_log_away RENAME TO audit_log');
    }
    expect((await network.post(network.sign())).status).toBe(200);
  });
});
