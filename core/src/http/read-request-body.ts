import type { IncomingMessage } from 'node:http';
import { OrtooError } from '../errors';
import { bodyIdleTimeoutOf } from './harden-server';
import { parseStrictJson, type StrictJsonOptions } from './strict-json';

/** Options of {@link readRequestBody}. */
export interface ReadRequestBodyOptions {
  /** Largest body accepted, in bytes. */
  readonly limitBytes: number;
  /**
   * Longest pause between two chunks of the body.
   * @defaultValue the listener's `bodyIdleTimeoutMs` (see {@link createHardenedServer})
   */
  readonly idleTimeoutMs?: number;
}

/**
 * The whole body of a request, read by the one reader every listener uses:
 * refused with `413 Client.PayloadTooLarge` once it is over `limitBytes`
 * (by its `Content-Length` before a byte is read, else as it streams), and
 * with `408 Client.RequestTimeout` when it pauses longer than the idle
 * timeout, so a client that declares a body and never sends it holds nothing
 * for long. An answer to a refused body should close the connection (the
 * rest of the body is never read).
 *
 * @throws OrtooError `PayloadTooLarge`, `RequestTimeout`, `BadRequest` when
 *   the client breaks off.
 */
export function readRequestBody(req: IncomingMessage, options: ReadRequestBodyOptions): Promise<Buffer> {
  const limit = options.limitBytes;
  const idleMs = options.idleTimeoutMs ?? bodyIdleTimeoutOf(req);
  return new Promise((resolve, reject) => {
    const tooLarge = () =>
      new OrtooError('PayloadTooLarge', `The body is larger than ${limit} bytes`, {
        detail: { limitBytes: limit },
      });
    if (Number(req.headers['content-length'] ?? 0) > limit) {
      reject(tooLarge());
      return;
    }
    if (req.readableEnded) {
      resolve(Buffer.alloc(0));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let timer: NodeJS.Timeout | undefined;
    const finish = (error: OrtooError | undefined) => {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
      if (error === undefined) {
        resolve(Buffer.concat(chunks, size));
        return;
      }
      req.pause(); // the rest is never read; the answer closes the connection
      reject(error);
    };
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        finish(
          new OrtooError('RequestTimeout', `The body paused for more than ${idleMs} ms`, {
            detail: { bodyIdleTimeoutMs: idleMs },
          }),
        );
      }, idleMs);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        finish(tooLarge());
        return;
      }
      chunks.push(chunk);
      arm();
    };
    const onEnd = () => finish(undefined);
    const onError = (cause: Error) =>
      finish(new OrtooError('BadRequest', 'The request broke off while its body was read', { cause }));
    const onClose = () => {
      if (!req.complete)
        finish(new OrtooError('BadRequest', 'The request broke off while its body was read'));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
    arm();
  });
}

/** Options of {@link readJsonBody}. */
export interface ReadJsonBodyOptions extends ReadRequestBodyOptions, StrictJsonOptions {}

/**
 * A request's body as strict JSON ({@link parseStrictJson}), read with
 * {@link readRequestBody}.
 *
 * @throws OrtooError as both do.
 */
export async function readJsonBody(req: IncomingMessage, options: ReadJsonBodyOptions): Promise<unknown> {
  return parseStrictJson(await readRequestBody(req, options), options);
}
