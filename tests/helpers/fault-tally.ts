/**
 * The bookkeeping of a fault run on a bench network (`scripts/bench/bench-network.ts`):
 * messages sent through the consumer's client proxy, what each one's status
 * says in the end, and how often the backend was called for each, so a run
 * can assert that no accepted message was lost and no POST was made twice,
 * and print one line of counts per scenario.
 */
import pg from 'pg';
import type { BenchNetwork } from '../../scripts/bench/bench-network';
import type { BackendStats } from '../../scripts/bench/record-backend';
import { eventually } from './eventually';
import { TEST_DATABASE_URL } from './store-engines';

/** How a message ended, as its status at the consumer's client proxy tells. */
export type FaultOutcome = 'delivered' | 'dead-lettered' | 'outcome-unknown' | 'not-accepted';

/** One scenario's counts, as printed. */
export interface FaultCounts {
  readonly scenario: string;
  readonly sent: number;
  readonly accepted: number;
  readonly delivered: number;
  readonly deadLettered: number;
  readonly outcomeUnknown: number;
  /** Accepted and without an outcome when the run gave up waiting. */
  readonly lost: number;
  /** Messages the backend was called for more than once (every call here is a POST). */
  readonly duplicates: number;
  /** What the sends that were not accepted were answered, by error type (or connection error). */
  readonly refusals: Record<string, number>;
}

/** What the client proxy answered a send: its status and error type, if any. */
export interface SendAnswer {
  readonly status: number;
  readonly type?: string;
  readonly message?: string;
  /** The error's structured detail, as the client proxy answers it (PR-REST 4.6). */
  readonly data?: { readonly delivery?: string };
}

/** One scenario of a fault run. */
export class FaultTally {
  readonly #network: BenchNetwork;
  readonly #scenario: string;
  readonly #answers = new Map<string, SendAnswer | Error>();
  readonly #outcomes = new Map<string, FaultOutcome | undefined>();
  /** Backend calls counted before a backend restart, which forgets its own. */
  readonly #earlierCalls: Record<string, number> = {};
  #next = 0;

  constructor(network: BenchNetwork, scenario: string) {
    this.#network = network;
    this.#scenario = scenario;
  }

  /** The ids sent so far. */
  get ids(): string[] {
    return [...this.#answers.keys()];
  }

  /** The answer a send got (an Error when the connection failed). */
  answerOf(id: string): SendAnswer | Error | undefined {
    return this.#answers.get(id);
  }

  /** A fresh message id of this scenario. */
  newId(): string {
    this.#next += 1;
    return `fault-${this.#scenario.replace(/[^A-Za-z0-9]+/g, '-')}-${Date.now()}-${this.#next}`;
  }

  /** Sends one POST of the person service, async (`Prefer: respond-async`) unless `sync`. */
  async send(options: { sync?: boolean; timeoutMs?: number } = {}): Promise<string> {
    const id = this.newId();
    const { network } = { network: this.#network };
    this.#answers.set(id, new Error('not answered yet'));
    try {
      const res = await fetch(`${network.clientUrl}/r1/${network.serviceId}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-road-client': network.clientId,
          'x-road-id': id,
          authorization: `Bearer ${network.apiKey}`,
          ...(options.sync === true ? {} : { prefer: 'respond-async' }),
        },
        body: JSON.stringify({ registerNumber: 'УБ99010112' }),
        signal: AbortSignal.timeout(options.timeoutMs ?? 60_000),
      });
      const body = (await res.json().catch(() => ({}))) as Omit<SendAnswer, 'status'>;
      this.#answers.set(id, { status: res.status, ...body });
    } catch (error) {
      this.#answers.set(id, error as Error);
    }
    return id;
  }

  /** Sends `count` async messages, `parallel` at a time. */
  async sendMany(count: number, parallel = 20): Promise<string[]> {
    const ids: string[] = [];
    for (let sent = 0; sent < count; sent += parallel) {
      const batch = Math.min(parallel, count - sent);
      ids.push(...(await Promise.all(Array.from({ length: batch }, () => this.send()))));
    }
    return ids;
  }

  /** Remembers the backend's counts now: call before the backend is killed. */
  async rememberBackendCalls(): Promise<void> {
    for (const [id, calls] of Object.entries(await this.#backendCalls(true))) {
      this.#earlierCalls[id] = calls;
    }
  }

  /** The backend calls of each of this scenario's ids. */
  async calls(): Promise<Record<string, number>> {
    const now = await this.#backendCalls(false);
    const calls: Record<string, number> = {};
    for (const id of this.ids) calls[id] = (now[id] ?? 0) + (this.#earlierCalls[id] ?? 0);
    return calls;
  }

  /** Waits until the backend got at least `count` of this scenario's messages (at most a minute). */
  async untilAtBackend(count: number): Promise<void> {
    await eventually(
      `${count} messages of "${this.#scenario}" at the backend`,
      async () => {
        const calls = await this.calls();
        return Object.values(calls).filter((n) => n > 0).length >= count ? true : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 50 },
    );
  }

  /** Waits until every sent message has an outcome, at most `timeoutMs`; the counts then. */
  async settle(timeoutMs: number): Promise<FaultCounts> {
    await eventually(
      `an outcome for every message of "${this.#scenario}"`,
      async () => {
        for (const id of this.ids) {
          if (this.#outcomes.get(id) === undefined) this.#outcomes.set(id, await this.#outcomeOf(id));
        }
        return this.ids.every((id) => this.#outcomes.get(id) !== undefined) ? true : undefined;
      },
      { timeoutMs, intervalMs: 500 },
    ).catch(() => undefined); // counted as lost below
    return this.counts();
  }

  /** The outcome of one message, once {@link settle} saw it. */
  outcomeOf(id: string): FaultOutcome | undefined {
    return this.#outcomes.get(id);
  }

  /** The counts as they stand, printed as one line of the test's output. */
  async counts(): Promise<FaultCounts> {
    const outcomes = this.ids.map((id) => this.#outcomes.get(id));
    const calls = await this.calls();
    const count = (outcome: FaultOutcome) => outcomes.filter((seen) => seen === outcome).length;
    const counts: FaultCounts = {
      scenario: this.#scenario,
      sent: this.ids.length,
      accepted: outcomes.filter((seen) => seen !== 'not-accepted').length,
      delivered: count('delivered'),
      deadLettered: count('dead-lettered'),
      outcomeUnknown: count('outcome-unknown'),
      lost: outcomes.filter((seen) => seen === undefined).length,
      duplicates: this.ids.filter((id) => (calls[id] ?? 0) > 1).length,
      refusals: {},
    };
    for (const id of this.ids.filter((seen) => this.#outcomes.get(seen) === 'not-accepted')) {
      const answer = this.#answers.get(id);
      const kind = answer instanceof Error ? answer.name : `${answer?.status} ${answer?.type ?? ''}`.trim();
      counts.refusals[kind] = (counts.refusals[kind] ?? 0) + 1;
    }
    process.stdout.write(`fault run: ${JSON.stringify(counts)}\n`);
    return counts;
  }

  /**
   * The ids among `ids` whose audit story in the gateway's log has no
   * `delivered` record, though their status says delivered.
   */
  async unaudited(ids: readonly string[]): Promise<string[]> {
    const rows = await this.#deliveredRecords(ids);
    const audited = new Set(rows.map((row) => row.message_id));
    return ids.filter((id) => !audited.has(id));
  }

  /** How many of the `delivered` records of `ids` were written late, from the outcome outbox. */
  async recordedLate(ids: readonly string[]): Promise<number> {
    return (await this.#deliveredRecords(ids)).filter((row) => row.late === true).length;
  }

  async #deliveredRecords(ids: readonly string[]): Promise<{ message_id: string; late: boolean | null }[]> {
    const schema = this.#network.gatewaySchema;
    if (schema === undefined) throw new Error('the audit log is read on PostgreSQL only');
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    try {
      const { rows } = await client.query<{ message_id: string; late: boolean | null }>(
        `SELECT message_id, (detail->>'recordedLate')::boolean AS late FROM ${schema}.audit_log
          WHERE event = 'delivered' AND message_id = ANY($1)`,
        [ids],
      );
      return rows;
    } finally {
      await client.end();
    }
  }

  async #backendCalls(required: boolean): Promise<Record<string, number>> {
    try {
      const res = await fetch(`${this.#network.backendOrigin}/_bench/stats`);
      return ((await res.json()) as BackendStats).callsById;
    } catch (error) {
      if (required) throw error;
      return {}; // the backend is down: its calls were remembered before
    }
  }

  /** The status at the consumer's client proxy; undefined while it is still under way. */
  async #outcomeOf(id: string): Promise<FaultOutcome | undefined> {
    const res = await fetch(`${this.#network.clientUrl}/r1/messages/${id}`, {
      headers: { authorization: `Bearer ${this.#network.apiKey}` },
    }).catch(() => undefined);
    if (res === undefined || res.status === 202) return undefined;
    if (res.status === 200) return 'delivered';
    const body = (await res.json().catch(() => ({}))) as {
      type?: string;
      data?: { reason?: { type?: string } };
    };
    if (body.type === 'Client.NotFound') return 'not-accepted';
    const reason = body.data?.reason?.type;
    // No reason: the consumer's server or the gateway is not answering yet; ask again.
    if (reason === undefined) return undefined;
    return reason === 'Server.ServerProxy.OutcomeUnknown' ? 'outcome-unknown' : 'dead-lettered';
  }
}
