import type { Envelope } from '../envelope/envelope';
import { OrtooError } from '../errors';

/**
 * The HTTP headers an envelope may carry from one end to the other, by kind.
 * Everything else (hop-by-hop headers, credentials, cookies, proxies' own
 * headers) stays on its hop: a consumer cannot smuggle `Authorization` to a
 * provider's backend, nor a backend `Set-Cookie` to a consumer.
 */
export const FORWARDED_HEADERS: Readonly<Record<Envelope['kind'], ReadonlySet<string>>> = {
  request: new Set([
    'accept',
    'accept-language',
    'content-language',
    'if-match',
    'if-none-match',
    'if-modified-since',
    'if-unmodified-since',
    'range',
    'cache-control',
    'x-road-represented-party',
  ]),
  response: new Set([
    'content-language',
    'content-disposition',
    'content-range',
    'cache-control',
    'etag',
    'last-modified',
    'location',
    'retry-after',
    'expires',
    'vary',
  ]),
};

/**
 * Keeps only the headers of `headers` that may be forwarded in an envelope of
 * `kind`, names in lower case: what a proxy puts in the envelopes it builds.
 */
export function pickForwardedHeaders(
  kind: Envelope['kind'],
  headers: Readonly<Record<string, string | readonly string[] | undefined>>,
): Record<string, string> {
  const allowed = FORWARDED_HEADERS[kind];
  const picked: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (value === undefined || !allowed.has(lower)) continue;
    picked[lower] = typeof value === 'string' ? value : value.join(', ');
  }
  return picked;
}

/**
 * Checks that a received envelope carries only allow-listed headers.
 *
 * @throws OrtooError `InvalidEnvelope` naming the headers that are not allowed.
 */
export function checkForwardedHeaders(envelope: Envelope): void {
  const allowed = FORWARDED_HEADERS[envelope.kind];
  const refused = Object.keys(envelope.headers).filter((name) => !allowed.has(name));
  if (refused.length > 0) {
    throw new OrtooError(
      'InvalidEnvelope',
      `Headers not allowed in a ${envelope.kind}: ${refused.join(', ')}`,
      {
        detail: { headers: refused },
      },
    );
  }
}
