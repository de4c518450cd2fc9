/**
 * What the security suite sends and how it judges the answers: a bounded
 * HTTP(S) client, the rule every answer must keep (typed, prompt, no 5xx
 * but a typed unavailability), the tally printed at the end, innocent
 * traffic run alongside, and the health probe run after every batch.
 */
import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';

/** One answer as the suite saw it. */
export interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: unknown;
  readonly elapsedMs: number;
}

/** A request the suite sends. */
export interface Sent {
  readonly method: string;
  readonly url: string;
  readonly headers?: Record<string, string>;
  readonly body?: Buffer | string;
  readonly agent?: https.Agent;
}

/** Longest any answer may take: the longest listener timeout plus slack. */
export const MAX_ANSWER_MS = 8000;

/** 5xx answers that are allowed: the typed "try again later" of a part that is busy or away. */
const UNAVAILABLE = /^Server\.(ClientProxy|ServerProxy)\.\w*(Unavailable|Timeout)$/;

/**
 * Sends one request and reads the whole answer (JSON when it parses).
 * Rejects when nothing comes back within {@link MAX_ANSWER_MS} plus a
 * margin: a hang is a finding, not a wait.
 */
export async function send(request: Sent): Promise<Answer> {
  try {
    return await sendOnce(request);
  } catch (error) {
    // A kept-alive socket the server closed just as it was reused: the client's race, tried again once.
    if ((error as { reusedSocket?: boolean }).reusedSocket === true) return sendOnce(request);
    throw error;
  }
}

function sendOnce(request: Sent): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const url = new URL(request.url);
    const options = { method: request.method, headers: request.headers ?? {}, agent: request.agent };
    const req = (url.protocol === 'https:' ? https : http).request(url, options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown = text;
        try {
          body = text === '' ? undefined : (JSON.parse(text) as unknown);
        } catch {
          // not JSON: kept as text
        }
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body,
          elapsedMs: performance.now() - started,
        });
      });
      res.on('error', reject);
    });
    req.setTimeout(MAX_ANSWER_MS + 4000, () =>
      req.destroy(new Error(`no answer in ${MAX_ANSWER_MS + 4000} ms`)),
    );
    req.on('error', (error: NodeJS.ErrnoException) => {
      const reused = req.reusedSocket && error.code === 'ECONNRESET';
      reject(reused ? Object.assign(error, { reusedSocket: true }) : error);
    });
    req.end(request.body);
  });
}

/** A short printable form of anything, for failure reports. */
export function brief(value: unknown, length = 120): string {
  return String(JSON.stringify(value)).slice(0, length);
}

/** Which kind of listener answered: the client proxy passes a backend's own answers on untyped. */
export type Listener = 'client proxy' | 'admin API' | 'exchange listener';

/**
 * What is wrong with an answer, or undefined when it keeps the rule: an
 * error carries `X-Road-Error` and a `{type, message}` body of that type (a
 * backend's own 4xx through the client proxy aside); no 5xx but a typed
 * unavailability; within {@link MAX_ANSWER_MS}. (An answer to `HEAD` has
 * its header only.)
 */
export function answerProblem(listener: Listener, answer: Answer, method = 'GET'): string | undefined {
  const type = answer.headers['x-road-error'];
  if (answer.elapsedMs > MAX_ANSWER_MS) return `took ${Math.round(answer.elapsedMs)} ms`;
  if (typeof type === 'string' && method === 'HEAD') {
    // An answer to HEAD has no body: its header alone must say the type.
    return answer.status >= 500 && !UNAVAILABLE.test(type) ? `${answer.status} ${type}` : undefined;
  }
  if (typeof type === 'string') {
    const body = answer.body as { type?: unknown; message?: unknown } | undefined;
    if (body?.type !== type || typeof body.message !== 'string')
      return `X-Road-Error ${type} without its typed body`;
    if (answer.status >= 500 && !UNAVAILABLE.test(type)) return `${answer.status} ${type}`;
    if (answer.status < 400) return `X-Road-Error on a ${answer.status}`;
    return undefined;
  }
  if (answer.status >= 500) return `untyped ${answer.status}`;
  if (answer.status >= 400 && listener !== 'client proxy') return `untyped ${answer.status}`;
  return undefined;
}

/** The counts the suite prints: requests tried, cases, and every failure with what was sent. */
export class Tally {
  requests = 0;
  cases = 0;
  readonly failures: string[] = [];
  slowestMs = 0;
  readonly statuses = new Map<number, number>();

  /** Sends `request` to `listener`, judges the answer; true when it keeps the rule. */
  async probe(listener: Listener, request: Sent, what: string): Promise<boolean> {
    this.requests += 1;
    let answer: Answer;
    try {
      answer = await send(request);
    } catch (error) {
      this.failures.push(`${listener}: ${what}: ${String(error)}`);
      return false;
    }
    this.slowestMs = Math.max(this.slowestMs, answer.elapsedMs);
    this.statuses.set(answer.status, (this.statuses.get(answer.status) ?? 0) + 1);
    const problem = answerProblem(listener, answer, request.method);
    if (problem === undefined) return true;
    this.failures.push(`${listener}: ${what}: ${problem}: ${brief(answer.body, 300)}`);
    return false;
  }

  /** One line per count, as printed in the test output. */
  summary(innocent: InnocentTraffic): string {
    const statuses = [...this.statuses.entries()].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`);
    return [
      `security suite: ${this.requests} hostile requests tried in ${this.cases} cases, ${this.failures.length} failures`,
      `  answers by status: ${statuses.join(' ')}; slowest ${Math.round(this.slowestMs)} ms`,
      `  innocent traffic alongside: ${innocent.ok} ok, ${innocent.harmed.length} harmed, slowest ${Math.round(innocent.slowestMs)} ms`,
    ].join('\n');
  }
}

/** Valid calls made over and over while the suite runs, each of which must succeed, promptly. */
export class InnocentTraffic {
  ok = 0;
  readonly harmed: string[] = [];
  slowestMs = 0;
  #running = true;
  readonly #loops: Promise<void>[];

  /** Starts `workers` loops, each calling `call` and judging its answer with `isRight`. */
  constructor(workers: number, call: () => Promise<Answer>, isRight: (answer: Answer) => boolean) {
    this.#loops = Array.from({ length: workers }, async () => {
      while (this.#running) {
        try {
          const answer = await call();
          this.slowestMs = Math.max(this.slowestMs, answer.elapsedMs);
          if (isRight(answer) && answer.elapsedMs <= MAX_ANSWER_MS) this.ok += 1;
          else
            this.harmed.push(
              `${answer.status} in ${Math.round(answer.elapsedMs)} ms: ${brief(answer.body, 200)}`,
            );
        } catch (error) {
          this.harmed.push(String(error));
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    });
  }

  /** Stops the loops once their calls in flight are done. */
  async stop(): Promise<void> {
    this.#running = false;
    await Promise.all(this.#loops);
  }
}

/** Every `/healthz` answers 200 `{status: "ok"}` within a second; what is not, otherwise. */
export async function unhealthy(urls: readonly string[]): Promise<string[]> {
  const problems: string[] = [];
  for (const url of urls) {
    try {
      const answer = await send({ method: 'GET', url: `${url}/healthz` });
      if (
        answer.status !== 200 ||
        (answer.body as { status?: unknown }).status !== 'ok' ||
        answer.elapsedMs > 1000
      ) {
        problems.push(`${url}/healthz: ${answer.status} in ${Math.round(answer.elapsedMs)} ms`);
      }
    } catch (error) {
      problems.push(`${url}/healthz: ${String(error)}`);
    }
  }
  return problems;
}
