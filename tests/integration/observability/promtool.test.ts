/**
 * The gateway's metrics after real traffic (sync exchanges, a forged
 * signature, a dead letter, a TLS client of another CA) pass `promtool check
 * metrics`, Prometheus's own linter, and say what happened.
 */
import { AuditMetrics, ownCertificatesOf, registerGatewayMetrics } from '../../../gateway/src/observability';
import { CONSUMER, PERSON_SERVICE, PROVIDER, type ExchangeNetwork } from '../../helpers/exchange-network';
import { PKI_CLOCK_FREE_DATES, createTestCa } from '../../helpers/pki-fixtures';
import { createServerIdentity } from '../../helpers/server-identity';
import { personResponder, startNetwork, untilState } from '../exchange/delivery-support';
import { parseSamples, promtool, samplesOf, startRealGateway } from './observability-support';

/** The value of the one sample of `name` with `labels`; fails when there is not exactly one. */
function valueOf(text: string, name: string, labels: Record<string, string> = {}): number {
  const found = samplesOf(text, name, labels);
  if (found.length !== 1) {
    throw new Error(`expected one ${name}${JSON.stringify(labels)}, found ${found.length}`);
  }
  return (found[0] as { value: number }).value;
}

describe('the gateway metrics after traffic', () => {
  let network: ExchangeNetwork;
  let text: string;

  beforeAll(async () => {
    network = await startNetwork({ service: { retryPolicy: { maxAttempts: 2, backoffMs: 20 } } });
    const registry = network.metrics;
    new AuditMetrics(registry);
    registerGatewayMetrics({
      registry,
      queues: network.runtime.queues,
      store: network.gateway.store,
      globalConf: network.gateway.deps.globalConf,
      certificates: ownCertificatesOf(network.gateway.deps.trust),
      clock: () => new Date(),
    });

    // Three lookups answered.
    for (let i = 0; i < 3; i += 1) {
      expect((await network.post(network.sign())).status).toBe(200);
    }
    // A forged signature.
    const message = network.sign();
    const { signature } = message.signature;
    const flipped = `${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`;
    const forged = await network.post({
      ...message,
      signature: { ...message.signature, signature: flipped },
    });
    expect(forged.status).toBe(401);
    // A dead letter: the provider answers 500 with a plain body, which is not retried.
    network.provider.alwaysFail(500);
    const doomed = network.sign();
    expect((await network.post(doomed, { prefer: 'respond-async' })).status).toBe(202);
    await untilState(network, doomed.envelope.id, 'dead-lettered');
    network.provider.reset().respond(personResponder);
    // A TLS client whose certificate another CA issued: refused in the handshake.
    const otherCa = createTestCa('Another instance CA', { ...PKI_CLOCK_FREE_DATES });
    const stranger = createServerIdentity(otherCa, { serverId: 'MN/GOV/7000001/ss9' });
    await expect(network.post(network.sign(), { as: stranger.auth })).rejects.toThrow();

    text = await registry.metrics();
  });

  afterAll(() => network?.close());

  it('pass promtool check metrics', () => {
    expect(parseSamples(text).length).toBeGreaterThan(50);
    expect(promtool(['check', 'metrics'], text)).toEqual({ status: 0, output: '' });
  });

  it('count exchanges by client, service and outcome', () => {
    const labels = { client: CONSUMER.client, service: PERSON_SERVICE };
    expect(valueOf(text, 'ortoo_gateway_exchanges_total', { ...labels, outcome: 'delivered' })).toBe(3);
    expect(valueOf(text, 'ortoo_gateway_exchanges_total', { ...labels, outcome: 'rejected' })).toBe(1);
    expect(valueOf(text, 'ortoo_gateway_exchanges_total', { ...labels, outcome: 'dead_lettered' })).toBe(1);
  });

  it('count the forged signature by step and by reason', () => {
    expect(
      valueOf(text, 'ortoo_gateway_rejections_total', { step: 'signature', type: 'Client.InvalidSignature' }),
    ).toBe(1);
    expect(valueOf(text, 'ortoo_gateway_signature_failures_total', { reason: 'invalid_signature' })).toBe(1);
  });

  it('count the failed TLS handshake by its verification error', () => {
    expect(
      valueOf(text, 'ortoo_gateway_tls_handshake_failures_total', {
        reason: 'unable_to_verify_leaf_signature',
      }),
    ).toBe(1);
  });

  it('show the queue and its dead letter', () => {
    expect(valueOf(text, 'ortoo_gateway_dead_letters', { provider: PROVIDER.serverId })).toBe(1);
    for (const state of ['waiting', 'active', 'delayed']) {
      expect(valueOf(text, 'ortoo_gateway_queue_jobs', { provider: PROVIDER.serverId, state })).toBe(0);
    }
    expect(
      valueOf(text, 'ortoo_gateway_deliveries_total', { provider: PROVIDER.serverId, outcome: 'delivered' }),
    ).toBe(3);
    expect(
      valueOf(text, 'ortoo_gateway_provider_duration_seconds_count', { provider: PROVIDER.serverId }),
    ).toBe(4);
  });

  it('time every pipeline step', () => {
    for (const step of ['transport', 'signature', 'schema', 'audit', 'queue']) {
      expect(valueOf(text, 'ortoo_gateway_step_duration_seconds_count', { step })).toBeGreaterThan(0);
    }
  });

  it("tell the global configuration's age and the certificates' expiry", () => {
    const now = Date.now() / 1000;
    const generated = valueOf(text, 'ortoo_global_conf_generated_timestamp_seconds');
    expect(now - generated).toBeGreaterThanOrEqual(-1);
    expect(now - generated).toBeLessThan(600);
    expect(valueOf(text, 'ortoo_global_conf_expiry_timestamp_seconds')).toBeGreaterThan(now);
    for (const certificate of ['ca', 'tls', 'global_conf_signing', 'audit_signing']) {
      expect(valueOf(text, 'ortoo_certificate_expiry_timestamp_seconds', { certificate })).toBeGreaterThan(
        now,
      );
    }
    // The consumer's and the provider's sign and auth certificates, issued by the CA.
    for (const kind of ['sign', 'auth']) {
      const earliest = valueOf(text, 'ortoo_gateway_issued_certificates_earliest_expiry_timestamp_seconds', {
        kind,
      });
      expect(earliest).toBeGreaterThan(now);
      expect(valueOf(text, 'ortoo_gateway_issued_certificates_expired', { kind })).toBe(0);
    }
    expect(samplesOf(text, 'ortoo_gateway_metric_collection_errors_total')).toEqual([]);
  });
});

describe("a gateway process's own /metrics", () => {
  it('passes promtool check metrics, the default Node.js metrics included', async () => {
    const gateway = await startRealGateway();
    try {
      const res = await gateway.get('/metrics');
      expect(res.status).toBe(200);
      expect(res.text).toContain('ortoo_process_cpu_seconds_total');
      expect(res.text).toContain('ortoo_gateway_exchanges_total');
      expect(res.text).toContain('ortoo_global_conf_generated_timestamp_seconds');
      expect(promtool(['check', 'metrics'], res.text)).toEqual({ status: 0, output: '' });
      // The Node.js defaults whose names promtool refuses are left out; their labelled twins stay.
      expect(res.text).not.toContain('ortoo_nodejs_active_handles_total');
      expect(res.text).toContain('# TYPE ortoo_nodejs_active_handles gauge');
    } finally {
      await gateway.close();
    }
  });
});
