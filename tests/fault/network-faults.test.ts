/**
 * Fault runs on one network of real processes (gateway with its delivery
 * workers, both security servers, the record backend) on PostgreSQL and
 * Redis (a private `redis-server` with append-only persistence, which the
 * run kills), one scenario after another: the gateway killed mid-batch and
 * restarted, Redis killed (down 3 s, and 15 s), the gateway's database cut,
 * the backend down, the gateway paused, the consumer's server killed, the
 * provider's server's clock 400 s ahead (libfaketime, where installed; not
 * behind, as the certificates of this network were issued moments ago and
 * a clock behind finds them not valid yet). Each scenario counts, per
 * message id, what was accepted and how it ended, and the backend's calls
 * (every call a POST), and prints the counts.
 *
 * What holds in each: no accepted message is lost, the backend is never
 * called twice for one, and every delivered message has its `delivered`
 * record in the audit log.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startBenchNetwork, type BenchNetwork } from '../../scripts/bench/bench-network';
import { eventually, sleep } from '../helpers/eventually';
import { FaultTally, type FaultCounts } from '../helpers/fault-tally';
import { TEST_DATABASE_URL } from '../helpers/store-engines';
import { startCrashableRedis, type CrashableRedis } from '../helpers/private-redis';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy';

/** The backend's answer time: long enough for deliveries to be in flight when a fault lands. */
const BACKEND_DELAY_MS = 200;
/** The person service's timeout: a sync caller's deadline. */
const SERVICE_TIMEOUT_MS = 5_000;

/** Debian's libfaketime (package `faketime`): a process's clock set off, as a badly kept server's is. */
const LIBFAKETIME = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';
const withFakeTime = existsSync(LIBFAKETIME) ? it : it.skip;

/** What every scenario asserts of its counts. */
function expectNoneLostOrTwice(counts: FaultCounts): void {
  expect(counts.lost).toBe(0);
  expect(counts.duplicates).toBe(0);
  expect(counts.accepted).toBe(counts.delivered + counts.deadLettered + counts.outcomeUnknown);
}

describe('a network of real processes under faults', () => {
  let network: BenchNetwork;
  let database: TcpProxy;
  let redis: CrashableRedis;
  let logDir: string;
  const table: FaultCounts[] = [];

  beforeAll(async () => {
    logDir = mkdtempSync(path.join(tmpdir(), 'ortoo-fault-network-'));
    const postgres = new URL(TEST_DATABASE_URL);
    database = await startTcpProxy({ host: postgres.hostname, port: Number(postgres.port || 5432) });
    const viaProxy = new URL(TEST_DATABASE_URL);
    viaProxy.port = String(database.port);
    redis = await startCrashableRedis();
    network = await startBenchNetwork({
      store: 'postgres',
      workers: 0,
      deliveryConcurrency: 16,
      logLevel: 'error',
      logDir,
      backendDelayMs: BACKEND_DELAY_MS,
      // Retried long enough to outlast every outage below (backoff doubles from 500 ms).
      retryPolicy: { maxAttempts: 12, backoffMs: 500 },
      serviceTimeoutMs: SERVICE_TIMEOUT_MS,
      gatewayDatabaseUrl: viaProxy.toString(),
      redis: { url: redis.url },
    });
  }, 300_000);

  afterAll(async () => {
    process.stdout.write(
      `fault table:\n${table.map((counts) => `  ${JSON.stringify(counts)}`).join('\n')}\n`,
    );
    await database?.restore().catch(() => undefined);
    await network?.close();
    await database?.close();
    await redis?.close();
    // KEEP_FAULT_LOGS keeps the processes' logs, to read after a failed run.
    if (process.env.KEEP_FAULT_LOGS === undefined) rmSync(logDir, { recursive: true, force: true });
  }, 120_000);

  it('a gateway SIGKILLed mid-batch reclaims its stalled jobs promptly once restarted', async () => {
    const tally = new FaultTally(network, 'gateway SIGKILL mid-batch');
    await tally.sendMany(200, 50);
    await tally.untilAtBackend(50);
    await network.crash('gateway');
    const restarting = performance.now();
    await network.restart('gateway');
    const restarted = performance.now();
    const counts = await tally.settle(90_000);
    const recoveredMs = performance.now() - restarted;
    process.stdout.write(
      `fault run: gateway restarted in ${Math.round(restarted - restarting)} ms; the batch was ` +
        `delivered ${Math.round(recoveredMs)} ms after (delivery lock 5 s)\n`,
    );
    table.push(counts);
    expectNoneLostOrTwice(counts);
    expect(counts.accepted).toBe(200);
    expect(await tally.unaudited(tally.ids.filter((id) => tally.outcomeOf(id) === 'delivered'))).toEqual([]);
  }, 240_000);

  it.each([3_000, 15_000])(
    'Redis SIGKILLed mid-batch and down %i ms: every message it took is delivered once it is back',
    async (downMs) => {
      const tally = new FaultTally(network, `Redis SIGKILL down ${downMs / 1000} s`);
      await tally.sendMany(100, 50);
      await tally.untilAtBackend(20);
      await redis.crash();
      // Sent while Redis is down: refused (not accepted), never half taken.
      await Promise.all(Array.from({ length: 5 }, () => tally.send({ timeoutMs: 20_000 })));
      await sleep(downMs);
      await redis.restart();
      const counts = await tally.settle(120_000);
      table.push(counts);
      expectNoneLostOrTwice(counts);
      expect(counts.accepted).toBeGreaterThanOrEqual(100);
    },
    240_000,
  );

  it('a gateway whose database is cut for 15 s records every outcome once it is back', async () => {
    const tally = new FaultTally(network, 'gateway database cut 15 s');
    const ids = await tally.sendMany(40, 40);
    await database.cut();
    await sleep(15_000);
    // Delivered while the database was away: answers came, outcomes could not be written.
    const calls = await tally.calls();
    const during = ids.filter((id) => (calls[id] ?? 0) > 0).length;
    await database.restore();
    const counts = await tally.settle(60_000);
    table.push(counts);
    expectNoneLostOrTwice(counts);
    expect(counts.accepted).toBe(40);
    process.stdout.write(`fault run: ${during} of 40 reached the backend while the database was cut\n`);
    await eventually(
      'a delivered record of every delivered message',
      async () => {
        const missing = await tally.unaudited(ids.filter((id) => tally.outcomeOf(id) === 'delivered'));
        return missing.length === 0 ? true : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 500 },
    );
    // Those delivered during the cut went through the outbox.
    const late = await tally.recordedLate(ids);
    process.stdout.write(`fault run: ${late} delivered records written late, from the outcome outbox\n`);
    expect(late).toBeGreaterThan(0);
  }, 180_000);

  it('a backend down for 20 s: queued messages are delivered after, a sync call is answered at once and never delivered', async () => {
    const tally = new FaultTally(network, 'backend down 20 s');
    await tally.rememberBackendCalls();
    await network.crash('backend');
    const downAt = performance.now();
    await tally.sendMany(20, 20);
    const started = performance.now();
    const syncId = await tally.send({ sync: true });
    const syncMs = performance.now() - started;
    const syncAnswer = tally.answerOf(syncId);
    expect(syncAnswer).toMatchObject({
      status: 500,
      type: 'Server.ServerProxy.NetworkError',
      data: { delivery: 'not-delivered' },
    });
    // Answered at once with the provider's own error, not after the service's timeout.
    expect(syncMs).toBeLessThan(SERVICE_TIMEOUT_MS);
    await sleep(Math.max(0, 20_000 - (performance.now() - downAt)));
    await network.restart('backend');
    const counts = await tally.settle(90_000);
    table.push(counts);
    expectNoneLostOrTwice(counts);
    expect(tally.outcomeOf(syncId)).toBe('dead-lettered');
    expect((await tally.calls())[syncId]).toBe(0);
    expect(counts.delivered).toBe(20);
    process.stdout.write(
      `fault run: the sync call was answered NetworkError (backend unavailable) in ${Math.round(syncMs)} ms\n`,
    );
  }, 180_000);

  it('a gateway paused for 10 s (SIGSTOP, SIGCONT) delivers every message it took', async () => {
    const tally = new FaultTally(network, 'gateway paused 10 s');
    const gateway = network.processes.get('gateway');
    if (gateway === undefined) throw new Error('no gateway');
    const first = tally.sendMany(20, 20);
    await sleep(100);
    process.kill(gateway.pid, 'SIGSTOP');
    // Sent while it is paused: they wait, or fail, at the consumer's server.
    const paused = Promise.all([tally.send({ sync: true }), tally.send({ sync: true }), tally.send()]);
    await sleep(10_000);
    process.kill(gateway.pid, 'SIGCONT');
    await Promise.all([first, paused]);
    const counts = await tally.settle(90_000);
    table.push(counts);
    expectNoneLostOrTwice(counts);
  }, 180_000);

  it('a consumer security server SIGKILLed after sending: every message still ends with an outcome', async () => {
    const tally = new FaultTally(network, 'consumer SS SIGKILL');
    await tally.sendMany(20, 20);
    await network.crash('consumer-ss');
    await sleep(1_000);
    await network.restart('consumer-ss');
    const counts = await tally.settle(90_000);
    table.push(counts);
    expectNoneLostOrTwice(counts);
    expect(counts.accepted).toBe(20);
  }, 180_000);

  withFakeTime(
    'a provider security server whose clock is 400 s ahead, within its tolerance, delivers every message',
    async () => {
      const tally = new FaultTally(network, 'provider SS clock 400 s ahead');
      await network.crash('provider-ss');
      await network.restart('provider-ss', {
        LD_PRELOAD: LIBFAKETIME,
        FAKETIME: '+400s',
        FAKETIME_DONT_FAKE_MONOTONIC: '1',
        ORTOO_SS_CLOCK_SKEW_TOLERANCE_SECONDS: '600',
      });
      await tally.sendMany(20, 20);
      await tally.send({ sync: true });
      const counts = await tally.settle(90_000);
      table.push(counts);
      expectNoneLostOrTwice(counts);
      expect(counts.delivered).toBe(21);
    },
    180_000,
  );
});
