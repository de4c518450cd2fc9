/**
 * Fault run: the provider's security server is killed (SIGKILL) while its
 * backend is answering POSTs, then restarted, on a network of real processes
 * (gateway, both security servers, the backend) on PostgreSQL and Redis.
 *
 * The guarantee under test: every accepted message ends with an outcome, and
 * a POST is never made twice — a redelivery of one whose call had begun is
 * answered `Server.ServerProxy.OutcomeUnknown` instead.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startBenchNetwork, type BenchNetwork } from '../../scripts/bench/bench-network';
import { eventually } from '../helpers/eventually';
import { FaultTally } from '../helpers/fault-tally';

/** Messages in flight at the backend when its security server dies. */
const IN_FLIGHT = 8;
/** How long the backend takes to answer: long enough for the kill to land mid-call. */
const BACKEND_DELAY_MS = 2_000;

describe('a provider security server killed while its backend answers POSTs', () => {
  let network: BenchNetwork;
  let logDir: string;

  beforeAll(async () => {
    logDir = mkdtempSync(path.join(tmpdir(), 'ortoo-fault-provider-'));
    network = await startBenchNetwork({
      store: 'postgres',
      workers: 0,
      deliveryConcurrency: 16,
      logLevel: 'warn',
      logDir,
      backendDelayMs: BACKEND_DELAY_MS,
      // Retried long enough to outlast the restart.
      retryPolicy: { maxAttempts: 30, backoffMs: 500 },
    });
  }, 300_000);

  afterAll(async () => {
    await network?.close();
    rmSync(logDir, { recursive: true, force: true });
  }, 60_000);

  it('ends every message with an outcome, and never calls the backend twice for one', async () => {
    const tally = new FaultTally(network, 'provider SS SIGKILL');
    const ids = await tally.sendMany(IN_FLIGHT);
    await eventually(
      'every call at the backend',
      async () => {
        const calls = await tally.calls();
        return ids.every((id) => (calls[id] ?? 0) >= 1) ? true : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 50 },
    );

    await network.crashAndRestart('provider-ss');

    const counts = await tally.settle(120_000);
    expect(counts).toMatchObject({ accepted: IN_FLIGHT, lost: 0, duplicates: 0 });
    // Each was handed to the backend and never answered to the gateway: its outcome is unknown.
    expect(counts.outcomeUnknown).toBe(IN_FLIGHT);
  }, 240_000);
});
