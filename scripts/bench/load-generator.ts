/**
 * The whole-exchange benchmark's load generator, a process of its own so
 * that its CPU is not the measured processes': autocannon sends one request
 * over and over, with `connections` in flight for `durationSeconds`, each a
 * fresh `X-Road-Id`, and reports JSON: the count of answers by class, the
 * rate of the expected status, and its latency percentiles (in ms, from
 * every answer's own time, finer than autocannon's whole-ms histogram).
 *
 * Run with an IPC channel (the benchmark forks it), it runs each
 * {@link LoadRequest} message it gets and answers a {@link LoadReply}; it
 * exits once the channel closes. Run alone, `tsx scripts/bench/load-generator.ts
 * '<LoadOptions as JSON>'` prints one {@link LoadResult} as JSON.
 */
import autocannon from 'autocannon';
import { epochMicros } from './record-backend';

/** One load run. */
export interface LoadOptions {
  readonly url: string;
  readonly method: 'POST';
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly connections: number;
  readonly durationSeconds: number;
  /** The status every answer should have (200, or 202 for async). */
  readonly expectStatus: number;
  /**
   * Mark the `X-Road-Id`s as async messages of this tag (`bench-a-<tag>-<µs>-<n>`),
   * so the backend times each one's delivery; otherwise `bench-s-<µs>-<n>`.
   */
  readonly asyncTag?: string;
}

/** What a run measured. */
export interface LoadResult {
  /** Answers with the expected status. */
  readonly ok: number;
  /** Answers with another status, by status. */
  readonly unexpected: Record<string, number>;
  /** Connection errors and timeouts. */
  readonly errors: number;
  readonly seconds: number;
  /** Expected answers per second. */
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
}

/** A run asked for over the IPC channel. */
export interface LoadRequest {
  readonly id: number;
  readonly options: LoadOptions;
}

/** Its answer. */
export type LoadReply =
  { readonly id: number; readonly result: LoadResult } | { readonly id: number; readonly error: string };

/** The q-quantile of sorted values. */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] as number;
}

let sequence = 0;

/** Runs one load run. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  const unexpected: Record<string, number> = {};
  let ok = 0;
  const tag = options.asyncTag === undefined ? 's' : `a-${options.asyncTag}`;
  const started = performance.now();
  let done: (error: Error | null, result: autocannon.Result) => void = () => undefined;
  const finished = new Promise<autocannon.Result>((resolve, reject) => {
    done = (error, result) => (error === null ? resolve(result) : reject(error));
  });
  const instance = autocannon(
    {
      url: options.url,
      connections: options.connections,
      duration: options.durationSeconds,
      timeout: 30,
      requests: [
        {
          method: options.method,
          body: options.body,
          setupRequest: (request) => ({
            ...request,
            headers: { ...options.headers, 'x-road-id': `bench-${tag}-${epochMicros()}-${(sequence += 1)}` },
          }),
        },
      ],
    },
    (error, result) => done(error ?? null, result),
  );
  instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    if (statusCode === options.expectStatus) {
      ok += 1;
      latencies.push(responseTime);
    } else {
      unexpected[String(statusCode)] = (unexpected[String(statusCode)] ?? 0) + 1;
    }
  });
  const result = await finished;
  const seconds = (performance.now() - started) / 1000;
  const sorted = Float64Array.from(latencies).sort();
  return {
    ok,
    unexpected,
    errors: result.errors + result.timeouts,
    seconds,
    perSecond: ok / seconds,
    p50Ms: quantile(sorted, 0.5),
    p90Ms: quantile(sorted, 0.9),
    p99Ms: quantile(sorted, 0.99),
  };
}

function main(): void {
  const send = process.send?.bind(process);
  if (send === undefined) {
    const options = JSON.parse(process.argv[2] ?? '{}') as LoadOptions;
    void runLoad(options).then((result) => process.stdout.write(`${JSON.stringify(result)}\n`));
    return;
  }
  process.on('message', (message: LoadRequest) => {
    runLoad(message.options).then(
      (result) => send({ id: message.id, result } satisfies LoadReply),
      (error: unknown) => send({ id: message.id, error: String(error) } satisfies LoadReply),
    );
  });
  // SIGTERM from the benchmark ends it as the channel closing does, so a --cpu-prof profile gets written.
  process.once('SIGTERM', () => process.disconnect());
  process.once('SIGINT', () => process.disconnect());
  process.stdout.write('ready\n');
}

if (require.main === module) main();
