/**
 * `/healthz` and `/readyz` on the gateway's admin listener: ready when Redis,
 * SQL, the global configuration and its own certificates are; otherwise 503
 * naming what is not, while `/healthz` (alive) stays 200.
 */
import type { Redis } from 'ioredis';
import request from 'supertest';
import {
  PgliteStore,
  ReadinessChecker,
  createMetricsRegistry,
  type Readiness,
  type SqlStore,
} from '../../../core/src';
import { createApp } from '../../../gateway/src/app';
import {
  gatewayReadinessChecks,
  ownCertificatesOf,
  type GatewayReadinessParts,
} from '../../../gateway/src/observability';
import { createRedisConnection } from '../../../gateway/src/redis';
import { opsRouter } from '../../../gateway/src/routes/ops';
import { TEST_REDIS_URL } from '../../helpers/exchange-network';
import { startGateway, type GatewayHarness } from '../../helpers/gateway-harness';
import { freePort } from '../../helpers/processes';
import { PrivateRedis, eventually, startRealGateway, type RealGateway } from './observability-support';

const CHECKS = ['redis', 'database', 'global_conf', 'certificates'];

describe('a running gateway process', () => {
  let redis: PrivateRedis;
  let gateway: RealGateway;

  beforeAll(async () => {
    redis = await PrivateRedis.start();
    gateway = await startRealGateway(redis.url);
  });
  afterAll(async () => {
    await gateway?.close();
    await redis?.stop();
  });

  it('is alive at /healthz', async () => {
    const res = await gateway.get('/healthz');
    expect({ status: res.status, body: res.json() }).toEqual({ status: 200, body: { status: 'ok' } });
  });

  it('is ready at /readyz, with each check named', async () => {
    const res = await gateway.get('/readyz');
    expect(res.status).toBe(200);
    const body = res.json() as Readiness;
    expect(body).toMatchObject({ status: 'ready', failing: [] });
    expect(Object.keys(body.checks)).toEqual(CHECKS);
    for (const name of CHECKS) {
      expect(body.checks[name]).toEqual({ status: 'ok', durationMs: expect.any(Number) });
    }
  });

  it('names redis at /readyz while Redis is away, stays alive, and is ready again once it is back', async () => {
    await redis.stop();
    const down = await eventually('readyz to fail', async () => {
      const res = await gateway.get('/readyz');
      return res.status === 503 ? (res.json() as Readiness) : undefined;
    });
    expect(down).toMatchObject({
      status: 'unavailable',
      failing: ['redis'],
      checks: { redis: { status: 'failed', error: expect.any(String) }, database: { status: 'ok' } },
    });
    expect((await gateway.get('/healthz')).status).toBe(200);
    // A scrape still answers, without the queue metrics, and says why.
    const metrics = await gateway.get('/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.text).toMatch(/^ortoo_gateway_metric_collection_errors_total\{source="queues"\} [1-9]/m);
    expect(metrics.text).not.toMatch(/^ortoo_gateway_queue_jobs\{/m);

    await redis.start();
    await eventually('readyz to pass again', async () =>
      (await gateway.get('/readyz')).status === 200 ? true : undefined,
    );
  });
});

describe('the readiness checks', () => {
  let gateway: GatewayHarness;
  let connection: Redis;

  /** The checks of `gateway`, with `overrides`. */
  const parts = (overrides: Partial<GatewayReadinessParts> = {}): GatewayReadinessParts => ({
    redis: connection,
    store: gateway.store,
    globalConf: gateway.deps.globalConf,
    certificates: ownCertificatesOf(gateway.deps.trust),
    clock: () => new Date(),
    ...overrides,
  });
  /** GET /readyz of an app with those checks. */
  const readyz = (checks: GatewayReadinessParts, timeoutMs?: number) =>
    request(
      createApp(gateway.deps, [
        opsRouter(
          createMetricsRegistry({ collectDefault: false }),
          new ReadinessChecker(gatewayReadinessChecks(checks), timeoutMs === undefined ? {} : { timeoutMs }),
        ),
      ]),
    ).get('/readyz');

  beforeAll(async () => {
    gateway = await startGateway('pglite');
    connection = createRedisConnection(TEST_REDIS_URL, { purpose: 'queue' });
  });
  afterAll(async () => {
    connection?.disconnect();
    await gateway?.close();
  });

  it('pass with everything up', async () => {
    const res = await readyz(parts()).expect(200);
    expect(res.body).toMatchObject({ status: 'ready', failing: [] });
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('name redis when the connection goes to a port nothing listens on', async () => {
    const broken = createRedisConnection(`redis://127.0.0.1:${await freePort()}`, { purpose: 'queue' });
    try {
      const res = await readyz(parts({ redis: broken })).expect(503);
      expect(res.body).toMatchObject({
        status: 'unavailable',
        failing: ['redis'],
        checks: { redis: { status: 'failed', error: expect.stringMatching(/unavailable/i) } },
      });
    } finally {
      broken.disconnect();
    }
  });

  it('name database when the store is closed', async () => {
    const store: SqlStore = await PgliteStore.open();
    await store.close();
    const res = await readyz(parts({ store })).expect(503);
    expect(res.body).toMatchObject({
      status: 'unavailable',
      failing: ['database'],
      checks: { database: { status: 'failed', error: expect.any(String) }, redis: { status: 'ok' } },
    });
  });

  it('name global_conf when the registry cannot be read to build it', async () => {
    const failing = {
      current: () => Promise.reject(new Error('registry unreadable')),
    };
    const res = await readyz(parts({ globalConf: failing })).expect(503);
    expect(res.body).toMatchObject({
      failing: ['global_conf'],
      checks: { global_conf: { status: 'failed', error: 'registry unreadable' } },
    });
  });

  it("name certificates, and the expired ones, once the gateway's own have expired", async () => {
    const later = new Date(Date.now() + 3 * 365 * 24 * 3600 * 1000);
    const res = await readyz(parts({ clock: () => later })).expect(503);
    expect(res.body.failing).toContain('certificates');
    expect(res.body.checks.certificates.error).toMatch(/tls .*global_conf_signing .*audit_signing/);
    expect(res.body.checks.certificates.error).not.toMatch(/\bca\b/); // valid ten years
  });

  it('fail a check that takes longer than the timeout, without waiting for it', async () => {
    const hanging = { current: () => new Promise<never>(() => undefined) };
    const started = Date.now();
    const res = await readyz(parts({ globalConf: hanging }), 100).expect(503);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(res.body.checks.global_conf.error).toMatch(/longer than 100 ms/);
  });

  it('answer /healthz without touching anything', async () => {
    const broken = parts({ store: { query: () => Promise.reject(new Error('no')) } as unknown as SqlStore });
    const app = createApp(gateway.deps, [
      opsRouter(
        createMetricsRegistry({ collectDefault: false }),
        new ReadinessChecker(gatewayReadinessChecks(broken)),
      ),
    ]);
    await request(app).get('/healthz').expect(200, { status: 'ok' });
  });
});
