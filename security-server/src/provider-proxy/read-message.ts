import type { IncomingMessage } from 'node:http';
import { MESSAGE_DEPTH_OVERHEAD, readJsonBody } from '../../../core/src';

/**
 * Reads a signed message's JSON from a request with the core's strict
 * reader: up to `limit` bytes (checked against `Content-Length` before any
 * byte, then as they come), no pause longer than the listener's body-idle
 * timeout, strict UTF-8 JSON nested at most `maxBodyDepth` (plus the
 * message's own level) deep.
 *
 * @throws OrtooError `PayloadTooLarge`, `RequestTimeout`; `BadRequest` for a
 *   body that is not strict JSON.
 */
export function readMessage(req: IncomingMessage, limit: number, maxBodyDepth: number): Promise<unknown> {
  return readJsonBody(req, {
    limitBytes: limit,
    maxDepth: maxBodyDepth + MESSAGE_DEPTH_OVERHEAD,
    what: 'The message',
  });
}
