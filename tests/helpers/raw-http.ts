/**
 * A raw HTTP client for tests of what a listener does with clients no HTTP
 * library would be: headers or bodies that dribble in, methods and bytes
 * that are not HTTP. Plain TCP or TLS (with a client certificate), on
 * 127.0.0.1 only, always bounded in time.
 */
import { connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls, type ConnectionOptions } from 'node:tls';

/** One write of a raw client: `data`, `after` ms from the connection. */
export interface RawStep {
  readonly after: number;
  readonly data: string | Buffer;
}

/** What a raw client saw: the answer's bytes, how long until the server closed, whether it did. */
export interface RawOutcome {
  readonly text: string;
  readonly elapsedMs: number;
  readonly closed: boolean;
}

/**
 * Connects to 127.0.0.1:`port` (over TLS with `tls`), writes `steps`, and
 * reads until the server closes the connection or `giveUpMs` passes.
 */
export function rawRequest(
  port: number,
  steps: readonly RawStep[],
  options: { readonly giveUpMs?: number; readonly tls?: ConnectionOptions } = {},
): Promise<RawOutcome> {
  return new Promise((resolve) => {
    const started = performance.now();
    const socket: Socket =
      options.tls === undefined
        ? connectTcp(port, '127.0.0.1')
        : connectTls({ ...options.tls, host: '127.0.0.1', port, servername: 'localhost' });
    let text = '';
    const timers = steps.map((step) =>
      setTimeout(() => {
        if (socket.writable) socket.write(step.data);
      }, step.after),
    );
    const done = (closed: boolean) => {
      timers.forEach(clearTimeout);
      clearTimeout(giveUp);
      socket.destroy();
      resolve({ text, elapsedMs: performance.now() - started, closed });
    };
    const giveUp = setTimeout(() => done(false), options.giveUpMs ?? 4000);
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    socket.on('close', () => done(true));
    socket.on('error', () => undefined);
  });
}

/** The status, `X-Road-Error` and JSON body (if any) of a raw HTTP answer. */
export function parseRawAnswer(text: string): {
  status: number;
  xRoadError: string | undefined;
  body: unknown;
} {
  const split = text.indexOf('\r\n\r\n');
  const head = split < 0 ? text : text.slice(0, split);
  const rest = split < 0 ? '' : text.slice(split + 4);
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]);
  const xRoadError = /\r\nx-road-error: ([^\r]+)/i.exec(head)?.[1];
  let body: unknown;
  try {
    body = rest === '' ? undefined : (JSON.parse(rest) as unknown);
  } catch {
    body = rest;
  }
  return { status, xRoadError, body };
}
