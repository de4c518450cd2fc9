import type { IncomingMessage } from 'node:http';
import { OrtooError } from '../../../core/src';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads a signed message's JSON from a request, up to `limit` bytes. The
 * size is checked as the bytes come (and against `Content-Length` before
 * any), so an oversized message is refused without being read whole.
 *
 * @throws OrtooError `PayloadTooLarge`; `BadRequest` for a body that is not
 *   strict UTF-8 JSON.
 */
export async function readMessage(req: IncomingMessage, limit: number): Promise<unknown> {
  const tooLarge = () =>
    new OrtooError('PayloadTooLarge', `Message is larger than ${limit} bytes`, {
      detail: { limitBytes: limit },
    });
  if (Number(req.headers['content-length'] ?? 0) > limit) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw tooLarge();
    chunks.push(chunk);
  }
  try {
    return JSON.parse(utf8.decode(Buffer.concat(chunks, size)));
  } catch (cause) {
    throw new OrtooError('BadRequest', 'Body is not a JSON message', { cause });
  }
}
