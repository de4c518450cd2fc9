/**
 * The tour's one way to make an HTTP request: fetch, to this machine only,
 * with a time limit, the body read as text and JSON when it is JSON.
 */

/** An answer, its body read. */
export interface HttpAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The body parsed, when it is JSON; undefined otherwise. */
  readonly json: unknown;
}

/** A request. */
export interface HttpRequest {
  readonly method: 'GET' | 'POST';
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Sent as JSON (`Content-Type: application/json` is the caller's to set). */
  readonly body?: unknown;
}

/** Why the tour cannot run against a network: its description is not one to trust. */
export class TourSetupError extends Error {
  override readonly name = 'TourSetupError';
}

/**
 * `url` when it is http(s) on 127.0.0.1, the only host the tour talks to.
 *
 * @throws TourSetupError naming `what` otherwise.
 */
export function loopbackUrl(url: string, what: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TourSetupError(`${what} (${url}) is not a URL`);
  }
  if ((parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || parsed.hostname !== '127.0.0.1') {
    throw new TourSetupError(`${what} (${url}) is not on 127.0.0.1: the tour talks to this machine only`);
  }
  return url.replace(/\/+$/, '');
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Sends a request and reads its answer, giving up when `signal` aborts.
 *
 * @throws whatever fetch throws: a TypeError for no connection, the signal's reason when it aborts.
 */
export async function httpRequest(request: HttpRequest, signal: AbortSignal): Promise<HttpAnswer> {
  const res = await fetch(request.url, {
    method: request.method,
    headers: { accept: 'application/json', ...request.headers },
    ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
    signal,
    redirect: 'manual',
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: parseJson(text) };
}

/** A field of a JSON object, when the value is an object with it. */
export function field(json: unknown, name: string): unknown {
  return typeof json === 'object' && json !== null && !Array.isArray(json)
    ? (json as Record<string, unknown>)[name]
    : undefined;
}

/** Why a request failed, in a few words: the system's error code rather than fetch's "fetch failed". */
export function describeFailure(error: unknown): string {
  if (error instanceof DOMException && error.name === 'TimeoutError') return 'no answer in time';
  if (error instanceof DOMException && error.name === 'AbortError') return 'aborted';
  if (error instanceof Error) {
    const cause = error.cause as { code?: unknown; message?: unknown } | undefined;
    if (typeof cause?.code === 'string') return `${error.message} (${cause.code})`;
    if (typeof cause?.message === 'string') return `${error.message} (${cause.message})`;
    return error.message;
  }
  return String(error);
}
