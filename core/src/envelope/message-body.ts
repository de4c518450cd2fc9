import { OrtooError } from '../errors';
import type { JsonValue } from './canonical-json';
import { bytesBodyDigest, jsonBodyDigest } from './digest';
import { isJsonContentType } from './envelope';

/** A body as the sender has it: parsed JSON, or the bytes of any other media type. */
export type MessageBody =
  | { readonly contentType: string; readonly json: JsonValue }
  | { readonly contentType: string; readonly bytes: Uint8Array };

/** A body ready to travel: its media type, its digest and its wire form. */
export interface EncodedBody {
  readonly contentType: string;
  readonly bodyDigest: string;
  /** JSON as is; other bytes as base64. */
  readonly wire: JsonValue;
}

/**
 * Prepares a body for an envelope. JSON media types must come as `json`, all
 * others as `bytes`, so the receiver can tell the wire forms apart by the
 * content type alone.
 */
export function encodeBody(body: MessageBody): EncodedBody {
  const json = isJsonContentType(body.contentType);
  if ('json' in body) {
    if (!json)
      throw new OrtooError('BadRequest', `A JSON body needs a JSON media type, not ${body.contentType}`);
    return { contentType: body.contentType, bodyDigest: jsonBodyDigest(body.json), wire: body.json };
  }
  if (json) throw new OrtooError('BadRequest', 'A JSON media type needs a parsed JSON body');
  const bytes = Buffer.from(body.bytes.buffer, body.bytes.byteOffset, body.bytes.byteLength);
  return {
    contentType: body.contentType,
    bodyDigest: bytesBodyDigest(bytes),
    wire: bytes.toString('base64'),
  };
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Digest of a body as received on the wire, by the rules of {@link encodeBody}.
 *
 * @throws OrtooError `InvalidEnvelope` when a non-JSON body is not base64.
 */
export function wireBodyDigest(contentType: string, wire: JsonValue): string {
  if (isJsonContentType(contentType)) return jsonBodyDigest(wire);
  if (typeof wire !== 'string' || wire.length % 4 !== 0 || !BASE64.test(wire)) {
    throw new OrtooError('InvalidEnvelope', `A ${contentType} body must travel as base64`);
  }
  return bytesBodyDigest(Buffer.from(wire, 'base64'));
}
