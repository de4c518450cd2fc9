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
import type { BackendStats } from '../../scripts/bench/record-backend';
import { eventually } from '../helpers/eventually';

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

  const stats = async (): Promise<BackendStats> =>
    (await fetch(`${network.backendOrigin}/_bench/stats`)).json() as Promise<BackendStats>;

  const send = (id: string) =>
    fetch(`${network.clientUrl}/r1/${network.serviceId}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-road-client': network.clientId,
        'x-road-id': id,
        authorization: `Bearer ${network.apiKey}`,
        prefer: 'respond-async',
      },
      body: JSON.stringify({ registerNumber: 'УБ99010112' }),
    });

  /** The message's answer at the consumer's status URL, once it has one: 200 or a typed failure. */
  const outcomeOf = async (id: string) => {
    const res = await fetch(`${network.clientUrl}/r1/messages/${id}`, {
      headers: { authorization: `Bearer ${network.apiKey}` },
    });
    if (res.status === 202) return undefined;
    const body = (await res.json()) as { type?: string; data?: { reason?: { type?: string } } };
    return res.status === 200 ? 'delivered' : (body.data?.reason?.type ?? body.type ?? String(res.status));
  };

  it('ends every message with an outcome, and never calls the backend twice for one', async () => {
    const ids = Array.from({ length: IN_FLIGHT }, (_, i) => `fault-provider-${Date.now()}-${i}`);
    for (const id of ids) expect((await send(id)).status).toBe(202);
    await eventually(
      'every call at the backend',
      async () => {
        const { callsById } = await stats();
        return ids.every((id) => (callsById[id] ?? 0) >= 1) ? true : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 50 },
    );

    await network.crashAndRestart('provider-ss');

    const outcomes = await eventually(
      'an outcome for every message',
      async () => {
        const all = await Promise.all(ids.map(outcomeOf));
        return all.every((outcome) => outcome !== undefined) ? all : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 500 },
    );
    const calls = (await stats()).callsById;
    const twice = ids.filter((id) => (calls[id] ?? 0) > 1);
    const counts = outcomes.reduce<Record<string, number>>((tally, outcome) => {
      tally[outcome as string] = (tally[outcome as string] ?? 0) + 1;
      return tally;
    }, {});
    process.stdout.write(
      `fault run, provider security server SIGKILLed mid-call: ${ids.length} accepted, ` +
        `${outcomes.length} with an outcome ${JSON.stringify(counts)}, 0 lost, ` +
        `${twice.length} called twice\n`,
    );
    expect(twice).toEqual([]);
    // Each was handed to the backend and never answered to the gateway: its outcome is unknown.
    expect(outcomes).toEqual(ids.map(() => 'Server.ServerProxy.OutcomeUnknown'));
  }, 240_000);
});
