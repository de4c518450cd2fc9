import type { Envelope } from '../envelope/envelope';
import { OrtooError } from '../errors';

/**
 * Which HTTP headers an envelope carries from one end to the other. X-Road's
 * REST protocol (PR-REST 4.3) passes every header unmodified, user-defined
 * and cache headers included, except the ones a proxy must filter; what an
 * envelope carries is signed with it, so the signature covers the headers too.
 *
 * Kept on their hop, whatever the direction:
 * - hop-by-hop headers (RFC 9110 §7.6.1, PR-REST "Filtered headers"):
 *   `Connection` and the headers it names, `Keep-Alive`, `TE`, `Trailer`,
 *   `Transfer-Encoding`, `Upgrade`, `Proxy-*`;
 * - headers that leak the origin's name or address (PR-REST "Filtered
 *   headers"): `Host`, `User-Agent`, `Server`, and the forwarding headers
 *   that exist to carry exactly that (`Forwarded`, `X-Forwarded-*`,
 *   `X-Real-IP`, `Via`);
 * - what the envelope carries in fields of its own or the receiving proxy
 *   recomputes: `Content-Type` (the envelope's `contentType`),
 *   `Content-Length` (PR-REST lets a proxy change it; ours writes the body
 *   whole), `Expect` (answered by the consumer's own HTTP server);
 * - the `X-Road-*` headers the protocol sets itself (client, service, id,
 *   user, issue, the target server, the request hash and id, the error flag);
 *   `X-Road-Represented-Party` and any other `X-Road-*` extension travel as
 *   user-defined headers, as PR-REST 4.3 says;
 * - Örtöö's own: `X-Ortoo-*` and `Prefer` (async mode is this network's, not
 *   the backend's);
 * - `Cookie` and `Set-Cookie`: state of a browser's hop, which a security
 *   server does not proxy (PR-REST 4.3 "Cross-origin resource sharing"),
 *   several `Set-Cookie` fields cannot be folded into one (RFC 6265 §3) as
 *   the envelope's map of one value per name would need, and session
 *   credentials would be kept for good in both message logs.
 *
 * The local system's own credential for its security server (`X-Road-Apikey`,
 * or `Authorization` when it carries the key) is taken off by the client
 * proxy, which knows how the system authenticated (see `local-systems.ts`);
 * any other `Authorization`, a JWT for the provider, passes (PR-REST 4.7).
 */
const KEPT_ON_HOP: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'user-agent',
  'server',
  'forwarded',
  'x-real-ip',
  'via',
  'content-type',
  'content-length',
  'expect',
  'prefer',
  'cookie',
  'set-cookie',
  'x-road-client',
  'x-road-service',
  'x-road-id',
  'x-road-userid',
  'x-road-issue',
  'x-road-security-server',
  'x-road-request-hash',
  'x-road-request-id',
  'x-road-error',
  'x-road-apikey',
]);

/** Name prefixes of headers kept on their hop (see {@link KEPT_ON_HOP}). */
const KEPT_ON_HOP_PREFIXES = ['proxy-', 'x-forwarded-', 'x-ortoo-'] as const;

/**
 * Total size of the headers one envelope carries (names and values, in
 * UTF-16 code units), and their number: bounded so a message cannot grow
 * without end through its headers. Node's HTTP server already stops a
 * request's header section at 16 KiB; an answer is held to the same.
 */
export const MAX_FORWARDED_HEADER_BYTES = 16 * 1024;
/** Most headers one envelope carries; as `maxProperties` of `headers` in `schemas/envelope.schema.json`. */
export const MAX_FORWARDED_HEADERS = 100;

/** True when a header of this lower-case name never leaves its hop. */
export function isKeptOnHop(name: string): boolean {
  return KEPT_ON_HOP.has(name) || KEPT_ON_HOP_PREFIXES.some((prefix) => name.startsWith(prefix));
}

/** The lower-case names a `Connection` header lists: hop-by-hop for this message only. */
function connectionOptions(value: string | readonly string[] | undefined): Set<string> {
  const text = typeof value === 'string' ? value : (value ?? []).join(',');
  return new Set(
    text
      .split(',')
      .map((token) => token.trim().toLowerCase())
      .filter((token) => token !== ''),
  );
}

/**
 * The error of headers over the limits: a consumer's request is refused as
 * the caller's fault, a backend's answer as the provider's.
 */
function tooLarge(kind: Envelope['kind'], count: number, size: number): OrtooError {
  const limits = {
    headers: count,
    bytes: size,
    maxHeaders: MAX_FORWARDED_HEADERS,
    maxBytes: MAX_FORWARDED_HEADER_BYTES,
  };
  return kind === 'request'
    ? new OrtooError('HeadersTooLarge', 'The request’s headers exceed what a message carries', {
        detail: limits,
      })
    : new OrtooError('InvalidAnswer', 'The backend’s headers exceed what a message carries', {
        detail: limits,
      });
}

/** Checks the count and total size of headers an envelope is to carry. */
function checkSize(kind: Envelope['kind'], headers: Readonly<Record<string, string>>): void {
  const entries = Object.entries(headers);
  const size = entries.reduce((sum, [name, value]) => sum + name.length + value.length, 0);
  if (entries.length > MAX_FORWARDED_HEADERS || size > MAX_FORWARDED_HEADER_BYTES) {
    throw tooLarge(kind, entries.length, size);
  }
}

/**
 * The headers of `headers` an envelope of `kind` carries, names in lower
 * case: every header but those kept on their hop (see {@link isKeptOnHop}),
 * the ones its `Connection` header names, and the names in `withheld`
 * (the local system's credential). Repeated fields are joined with `, `
 * (RFC 9110 §5.3).
 *
 * @throws OrtooError `HeadersTooLarge` (a request) or `InvalidAnswer` (an
 *   answer) when they exceed {@link MAX_FORWARDED_HEADERS} or
 *   {@link MAX_FORWARDED_HEADER_BYTES}.
 */
export function pickForwardedHeaders(
  kind: Envelope['kind'],
  headers: Readonly<Record<string, string | readonly string[] | undefined>>,
  withheld: ReadonlySet<string> = new Set(),
): Record<string, string> {
  const named = connectionOptions(headers.connection ?? headers.Connection);
  const picked: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (value === undefined || isKeptOnHop(lower) || named.has(lower) || withheld.has(lower)) continue;
    picked[lower] = typeof value === 'string' ? value : value.join(', ');
  }
  checkSize(kind, picked);
  return picked;
}

/**
 * Checks that a received envelope carries no header a proxy keeps on its
 * hop, within the size limits: a sender cannot smuggle `Host` or its own
 * `X-Road-Client` past the proxies.
 *
 * @throws OrtooError `InvalidEnvelope` naming the headers that are not
 *   allowed or over the limits.
 */
export function checkForwardedHeaders(envelope: Envelope): void {
  const refused = Object.keys(envelope.headers).filter(
    (name) => name !== name.toLowerCase() || isKeptOnHop(name),
  );
  if (refused.length > 0) {
    throw new OrtooError(
      'InvalidEnvelope',
      `Headers not allowed in a ${envelope.kind}: ${refused.join(', ')}`,
      {
        detail: { headers: refused },
      },
    );
  }
  try {
    checkSize(envelope.kind, envelope.headers);
  } catch (cause) {
    throw new OrtooError('InvalidEnvelope', `The ${envelope.kind}’s headers exceed what a message carries`, {
      detail: (cause as OrtooError).detail,
      cause,
    });
  }
}
