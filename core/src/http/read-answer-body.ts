import type { IncomingMessage } from 'node:http';
import { OrtooError } from '../errors';

/**
 * The whole body of an HTTP answer, refusing (and dropping the connection
 * of) one over `limit` bytes, whether it says so in `Content-Length` or only
 * as it streams: a peer cannot make the caller hold more than the limit.
 *
 * @param who - names the peer in the error, e.g. `Security server MN/GOV/9011311/ss1`.
 * @param detail - further detail of the error, e.g. the server's id.
 * @throws OrtooError `InvalidAnswer` when the answer is too large; the stream's
 *   error when the connection fails or closes before the answer is complete.
 */
export function readAnswerBody(
  res: IncomingMessage,
  limit: number,
  who: string,
  detail: Record<string, unknown> = {},
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const tooLarge = () => {
      res.destroy();
      reject(
        new OrtooError('InvalidAnswer', `${who} answered with more than ${limit} bytes`, {
          detail: { ...detail, limitBytes: limit },
        }),
      );
    };
    if (Number(res.headers['content-length']) > limit) {
      tooLarge();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge();
      else chunks.push(chunk);
    });
    res.on('end', () => resolve(Buffer.concat(chunks, size)));
    res.on('error', reject);
    res.on('close', () => {
      if (!res.complete) reject(new Error('Connection closed before the answer was complete'));
    });
  });
}
