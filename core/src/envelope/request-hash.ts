import { hash } from 'node:crypto';
import { canonicalJson, type JsonValue } from './canonical-json';
import { isJsonContentType, type RequestEnvelope, type SignedMessage } from './envelope';

/**
 * `X-Road-Request-Hash` of a request as PR-REST 4.3 defines it: standard
 * base64 of SHA512(SHA512(headers) + SHA512(body)), or of SHA512(headers)
 * when there is no body (`+` joins the two 64-byte digests). The request's
 * "headers" are its signed envelope in canonical form (it names the parties,
 * the call, every forwarded header and the body's digest); its body is the
 * body as the envelope's digest covers it (the canonical form of JSON, the
 * bytes of any other media type), so anyone holding the signed request, the
 * provider's server first, computes the same value.
 */
export function xRoadRequestHash(message: Pick<SignedMessage<RequestEnvelope>, 'envelope' | 'body'>): string {
  const { envelope, body } = message;
  const headers = hash('sha512', canonicalJson(envelope), 'buffer');
  if (envelope.contentType === undefined || body === undefined) return headers.toString('base64');
  const bytes = isJsonContentType(envelope.contentType)
    ? canonicalJson(body as JsonValue)
    : Buffer.from(body as string, 'base64');
  return hash('sha512', Buffer.concat([headers, hash('sha512', bytes, 'buffer')]), 'base64');
}
