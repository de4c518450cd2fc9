import { HTTP_METHODS, type HttpMethod } from '../envelope/envelope';
import { OrtooError } from '../errors';

/**
 * Endpoints of a REST service, as X-Road has them (security server user
 * guide, "REST service endpoints"): an HTTP method, or `*` for any, and a
 * path pattern below the service in which `*` stands for any characters
 * within one path segment and `**` for any characters across segments.
 * X-Road's service-wide right is its base endpoint `* **`.
 *
 * Matching is only as safe as the path it is given, so a request path is
 * normalised once, here, before any pattern sees it (X-Road 7.7.1 fixed a
 * hole, XRDDEV-3054, where an encoded traversal slipped past its service
 * access check). The
 * policy:
 *
 * - percent-escapes of unreserved characters (RFC 3986 §2.3: letters,
 *   digits, `-._~`) are decoded, in either case of hex (`%7e`, `%7E`);
 *   every other escape is kept with upper-case hex, and raw characters
 *   outside RFC 3986's `pchar` (non-ASCII, `"`, `<`, …) are escaped as
 *   UTF-8, so one path has one spelling;
 * - refused outright (no pattern matches them): `.` and `..` segments in any
 *   spelling (`%2e%2e`, `.%2E`, …); an encoded separator (`%2f`, `%5c`); a
 *   backslash; an escaped percent sign (`%25`, so nothing double-decoded
 *   downstream, such as `%252f`, can turn into a separator); NUL and other
 *   control characters, raw or escaped; a broken escape; an empty segment
 *   (`//`) other than one trailing slash; a path not starting with `/`.
 *
 * Matching takes time bounded by path length × pattern length, whatever the
 * pattern: no backtracking regular expression is built from it.
 *
 * A trailing slash is kept and significant: `/persons/` is not `/persons`,
 * and a segment that is a lone `*` needs at least one character, so
 * `/persons/*` matches neither `/persons` nor `/persons/` (which a backend
 * may well answer as the whole collection).
 */

/** The method of an endpoint: one HTTP method, or `*` for any. */
export type EndpointMethod = HttpMethod | '*';

/** An endpoint as a right names it: `GET /persons/*`. */
export interface EndpointRule {
  readonly method: EndpointMethod;
  /** A normalised path pattern: starting with `/`, or `**` alone (every path). */
  readonly path: string;
}

/** Why a request path matches no endpoint pattern at all. */
export type PathRefusal =
  | 'not-absolute'
  | 'broken-escape'
  | 'encoded-separator'
  | 'encoded-percent'
  | 'backslash'
  | 'control-character'
  | 'dot-segment'
  | 'empty-segment';

/** {@link normalizeRequestPath}'s answer. */
export type NormalizedPath =
  { readonly ok: true; readonly path: string } | { readonly ok: false; readonly reason: PathRefusal };

/** The methods an endpoint may name. */
export const ENDPOINT_METHODS: readonly EndpointMethod[] = ['*', ...HTTP_METHODS];

/** Longest path pattern a right may name. */
export const MAX_ENDPOINT_PATH_LENGTH = 512;

/** A segment spelt as it stays: unreserved, sub-delims, `:` and `@` only (RFC 3986 `pchar` less `%`); `*` is one, so patterns keep their wildcards. */
const PLAIN_SEGMENT = /^[A-Za-z0-9\-._~!$&'()*+,;=:@]*$/;
const PCHAR = /[A-Za-z0-9\-._~!$&'()*+,;=:@]/;
const UNRESERVED = /[A-Za-z0-9\-._~]/;

class Refusal {
  constructor(readonly reason: PathRefusal) {}
}

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  const lower = code | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x57 : -1;
}

/** A raw character outside `pchar` as its UTF-8 escapes. @throws Refusal for a lone surrogate */
function escapeChar(char: string): string {
  try {
    return encodeURIComponent(char);
  } catch {
    throw new Refusal('broken-escape');
  }
}

/** One segment in its one spelling. @throws Refusal */
function normalizeSegment(segment: string): string {
  if (PLAIN_SEGMENT.test(segment)) {
    if (segment === '.' || segment === '..') throw new Refusal('dot-segment');
    return segment;
  }
  let out = '';
  for (let i = 0; i < segment.length;) {
    const code = segment.charCodeAt(i);
    if (code === 0x25) {
      const byte = (hexValue(segment.charCodeAt(i + 1)) << 4) | hexValue(segment.charCodeAt(i + 2));
      if (byte < 0) throw new Refusal('broken-escape');
      if (byte === 0x2f || byte === 0x5c) throw new Refusal('encoded-separator');
      if (byte === 0x25) throw new Refusal('encoded-percent');
      if (byte < 0x20 || byte === 0x7f) throw new Refusal('control-character');
      const decoded = String.fromCharCode(byte);
      out += UNRESERVED.test(decoded) ? decoded : segment.slice(i, i + 3).toUpperCase();
      i += 3;
    } else if (code === 0x5c) {
      throw new Refusal('backslash');
    } else if (code < 0x20 || code === 0x7f) {
      throw new Refusal('control-character');
    } else {
      const char = String.fromCodePoint(segment.codePointAt(i) ?? code);
      out += PCHAR.test(char) ? char : escapeChar(char);
      i += char.length;
    }
  }
  if (out === '.' || out === '..') throw new Refusal('dot-segment');
  return out;
}

/** @throws Refusal */
function normalize(path: string): string {
  if (path === '') return '/';
  if (!path.startsWith('/')) throw new Refusal('not-absolute');
  const segments = path.slice(1).split('/');
  return `/${segments
    .map((segment, at) => {
      if (segment === '' && at < segments.length - 1) throw new Refusal('empty-segment');
      return normalizeSegment(segment);
    })
    .join('/')}`;
}

/**
 * A request path below a service (the envelope's `path`, as sent) in its one
 * spelling, or why no endpoint pattern may match it; see the policy above.
 * `''` (the service itself) reads as `/`.
 */
export function normalizeRequestPath(path: string): NormalizedPath {
  try {
    return { ok: true, path: normalize(path) };
  } catch (error) {
    if (error instanceof Refusal) return { ok: false, reason: error.reason };
    throw error;
  }
}

function invalidEndpoint(text: string, why: string): OrtooError {
  return new OrtooError('BadRequest', `Invalid endpoint ${JSON.stringify(text.slice(0, 100))}: ${why}`, {
    detail: { endpoint: text.slice(0, 100), reason: why },
  });
}

/**
 * Checks and normalises an endpoint a right is to name: the method upper
 * case, the path pattern spelt as {@link normalizeRequestPath} spells
 * request paths (so `/persons/%7Ejohn` and `/persons/~john` are one
 * pattern), with `*` and `**` as wildcards (no `***`).
 *
 * @throws OrtooError `BadRequest` naming what is wrong.
 */
export function parseEndpoint(method: string, path: string): EndpointRule {
  const text = `${method} ${path}`;
  const upper = method.toUpperCase() as EndpointMethod;
  if (!ENDPOINT_METHODS.includes(upper)) {
    throw invalidEndpoint(text, `the method must be one of ${ENDPOINT_METHODS.join(', ')}`);
  }
  if (path.length === 0 || path.length > MAX_ENDPOINT_PATH_LENGTH) {
    throw invalidEndpoint(text, `the path must have 1 to ${MAX_ENDPOINT_PATH_LENGTH} characters`);
  }
  if (path === '**') return { method: upper, path };
  if (path.includes('***')) throw invalidEndpoint(text, 'a wildcard is * or **');
  try {
    return { method: upper, path: normalize(path) };
  } catch (error) {
    if (error instanceof Refusal) throw invalidEndpoint(text, `the path has a ${error.reason}`);
    throw error;
  }
}

/**
 * Reads an endpoint as people write it, `GET /persons/*` (method, one
 * space, path pattern); see {@link parseEndpoint}.
 *
 * @throws OrtooError `BadRequest`.
 */
export function parseEndpointText(text: string): EndpointRule {
  const match = /^(\S+) (\S+)$/.exec(text.trim());
  if (match === null) throw invalidEndpoint(text, 'expected "METHOD /path" such as "GET /persons/*"');
  return parseEndpoint(match[1] ?? '', match[2] ?? '');
}

/** `GET /persons/*`: how an endpoint is written. */
export function formatEndpoint(rule: EndpointRule): string {
  return `${rule.method} ${rule.path}`;
}

/**
 * One step of a compiled path pattern: a literal character (its code; a
 * normalised path is ASCII), or a wildcard: one character but `/` (the
 * first of a lone `*` segment), any run of characters but `/` (`*`), or any
 * run at all (`**`).
 */
type PatternStep = number;
const ONE = -1;
const STAR = -2;
const GLOBSTAR = -3;
const SLASH = 0x2f;

/**
 * An endpoint with its path pattern compiled, for {@link endpointAllows}: the
 * literal text before its first wildcard and after its last, and the steps
 * in between (none when the pattern has no wildcard).
 */
export interface CompiledEndpoint extends EndpointRule {
  readonly prefix: string;
  readonly suffix: string;
  readonly steps: readonly PatternStep[];
}

/** Compiles a normalised pattern ({@link parseEndpoint}'s) once, for many requests. */
export function compileEndpoint(rule: EndpointRule): CompiledEndpoint {
  const steps: PatternStep[] = [];
  rule.path.split('/').forEach((segment, at) => {
    if (at > 0) steps.push(SLASH);
    if (segment === '*') {
      steps.push(ONE, STAR);
      return;
    }
    for (let i = 0; i < segment.length; i += 1) {
      if (segment.startsWith('**', i)) {
        steps.push(GLOBSTAR);
        i += 1;
      } else {
        steps.push(segment[i] === '*' ? STAR : segment.charCodeAt(i));
      }
    }
  });
  const first = steps.findIndex((step) => step < 0);
  if (first < 0) return { ...rule, prefix: rule.path, suffix: '', steps: [] };
  let last = steps.length - 1;
  while ((steps[last] ?? -1) >= 0) last -= 1;
  const text = (part: PatternStep[]) => String.fromCharCode(...part);
  return {
    ...rule,
    prefix: text(steps.slice(0, first)),
    suffix: text(steps.slice(last + 1)),
    steps: steps.slice(first, last + 1),
  };
}

/**
 * Whether `steps` match all of `text`: a simulation of the pattern's
 * automaton, one pass over the text with the set of steps reached, so its
 * time is bounded by text length × pattern length whatever the pattern (a
 * backtracking regular expression of many wildcards could take forever).
 */
function matchSteps(steps: readonly PatternStep[], text: string): boolean {
  // The usual patterns, at once: `/persons/**`, `/persons/*`, `/persons/a*`.
  if (steps.length === 1 && steps[0] === GLOBSTAR) return true;
  if (steps.length === 1 && steps[0] === STAR) return !text.includes('/');
  if (steps.length === 2 && steps[0] === ONE && steps[1] === STAR) return text !== '' && !text.includes('/');
  let reached = new Uint8Array(steps.length + 1);
  let next = new Uint8Array(steps.length + 1);
  // A wildcard may match nothing: reaching it reaches the step after it too.
  const close = (states: Uint8Array) => {
    for (let i = 0; i < steps.length; i += 1) {
      if (states[i] === 1 && (steps[i] === STAR || steps[i] === GLOBSTAR)) states[i + 1] = 1;
    }
  };
  reached[0] = 1;
  close(reached);
  for (let at = 0; at < text.length; at += 1) {
    const code = text.charCodeAt(at);
    next.fill(0);
    let any = false;
    for (let i = 0; i < steps.length; i += 1) {
      if (reached[i] !== 1) continue;
      const step = steps[i];
      if (step === GLOBSTAR || (step === STAR && code !== SLASH)) next[i] = 1;
      else if (step === code || (step === ONE && code !== SLASH)) next[i + 1] = 1;
      else continue;
      any = true;
    }
    if (!any) return false;
    close(next);
    [reached, next] = [next, reached];
  }
  return reached[steps.length] === 1;
}

/**
 * True when the endpoint covers a call: the same method (or `*`) and a path
 * the pattern matches. `path` must come from {@link normalizeRequestPath};
 * a path it refused matches nothing.
 */
export function endpointAllows(
  endpoint: CompiledEndpoint,
  method: HttpMethod,
  path: NormalizedPath,
): boolean {
  if (!path.ok) return false;
  if (endpoint.method !== '*' && endpoint.method !== method) return false;
  const { prefix, suffix, steps } = endpoint;
  const text = path.path;
  if (steps.length === 0) return text === prefix;
  if (text.length < prefix.length + suffix.length || !text.startsWith(prefix) || !text.endsWith(suffix)) {
    return false;
  }
  // The literal ends are fixed, so only the text between them is left to the wildcards.
  return matchSteps(steps, text.slice(prefix.length, text.length - suffix.length));
}
