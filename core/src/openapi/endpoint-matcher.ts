import type { HttpMethod } from '../envelope/envelope';
import type { ServiceEndpoint } from './service-api';

/** A request path matched to an endpoint: its index in the list, and the path parameters' values (decoded). */
export interface EndpointMatch {
  readonly index: number;
  readonly params: Readonly<Record<string, string>>;
}

/** What {@link EndpointMatcher.match} found. */
export type MatchOutcome =
  | ({ readonly kind: 'matched' } & EndpointMatch)
  | { readonly kind: 'wrongMethod'; readonly allowed: readonly HttpMethod[] }
  | { readonly kind: 'none' };

/** A segment of a template: literal text, or a pattern with the names of its parameters. */
type Segment = string | { readonly pattern: RegExp; readonly names: readonly string[] };

interface Template {
  readonly path: string;
  readonly segments: readonly Segment[];
  /** Endpoint index by method. */
  readonly methods: ReadonlyMap<HttpMethod, number>;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function segmentOf(text: string): Segment {
  if (!text.includes('{')) return text;
  const names: string[] = [];
  const source = text.replace(
    /\{([^{}/]+)\}|([^{]+)/g,
    (_match, name: string | undefined, literal: string | undefined) => {
      if (name !== undefined) {
        names.push(name);
        return '([^/]+?)';
      }
      return escapeRegExp(literal ?? '');
    },
  );
  return { pattern: new RegExp(`^${source}$`), names };
}

/** Orders templates so that a concrete segment wins over a templated one, segment by segment (OpenAPI 3 §4.8.8). */
function specificity(a: Template, b: Template): number {
  for (let i = 0; i < a.segments.length; i += 1) {
    const x = typeof a.segments[i] === 'string' ? 0 : 1;
    const y = typeof b.segments[i] === 'string' ? 0 : 1;
    if (x !== y) return x - y;
  }
  return 0;
}

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/**
 * Finds the endpoint a request names, compiled once from the endpoint list:
 * templates grouped by their number of segments and ordered by specificity,
 * so a match is a few string comparisons. Segments are compared decoded;
 * an encoded `/` (`%2F`) inside a segment stays inside it, and a path with
 * a segment that does not decode, or with a dot segment (`.`, `..`, also
 * percent-encoded), matches no template: what was checked is what the
 * backend gets. HEAD is answered by a GET
 * endpoint when the service has no HEAD of its own.
 */
export class EndpointMatcher {
  readonly #bySegments = new Map<number, Template[]>();

  constructor(endpoints: readonly ServiceEndpoint[]) {
    const templates = new Map<string, { segments: Segment[]; methods: Map<HttpMethod, number> }>();
    endpoints.forEach((endpoint, index) => {
      let template = templates.get(endpoint.path);
      if (template === undefined) {
        template = { segments: endpoint.path.split('/').slice(1).map(segmentOf), methods: new Map() };
        templates.set(endpoint.path, template);
      }
      if (!template.methods.has(endpoint.method)) template.methods.set(endpoint.method, index);
    });
    for (const [path, template] of templates) {
      const list = this.#bySegments.get(template.segments.length) ?? [];
      list.push({ path, ...template });
      this.#bySegments.set(template.segments.length, list);
    }
    for (const list of this.#bySegments.values()) list.sort(specificity);
  }

  /** The endpoint of `method` and `path` (below the service, `''` is `/`; no query). */
  match(method: HttpMethod, path: string): MatchOutcome {
    const raw = (path === '' ? '/' : path).split('/').slice(1);
    const candidates = this.#bySegments.get(raw.length);
    if (candidates === undefined) return { kind: 'none' };
    const decoded = raw.map(decodeSegment);
    // A dot segment, sent as it is or encoded, would name another path once a URL is normalised.
    if (decoded.some((segment) => segment === undefined || segment === '.' || segment === '..')) {
      return { kind: 'none' };
    }
    const segments = decoded as string[];
    const allowed = new Set<HttpMethod>();
    for (const template of candidates) {
      const params = matchSegments(template.segments, segments);
      if (params === undefined) continue;
      const index =
        template.methods.get(method) ?? (method === 'HEAD' ? template.methods.get('GET') : undefined);
      if (index !== undefined) return { kind: 'matched', index, params };
      for (const known of template.methods.keys()) allowed.add(known);
    }
    return allowed.size === 0 ? { kind: 'none' } : { kind: 'wrongMethod', allowed: [...allowed].sort() };
  }
}

function matchSegments(
  template: readonly Segment[],
  segments: readonly string[],
): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < template.length; i += 1) {
    const expected = template[i] as Segment;
    const actual = segments[i] as string;
    if (typeof expected === 'string') {
      if (expected !== actual) return undefined;
      continue;
    }
    const found = expected.pattern.exec(actual);
    if (found === null) return undefined;
    expected.names.forEach((name, j) => {
      params[name] = found[j + 1] ?? '';
    });
  }
  return params;
}

const MATCHERS = new WeakMap<readonly ServiceEndpoint[], EndpointMatcher>();

/** The matcher of an endpoint list, made once per list (global configuration lists are immutable). */
export function endpointMatcherOf(endpoints: readonly ServiceEndpoint[]): EndpointMatcher {
  let matcher = MATCHERS.get(endpoints);
  if (matcher === undefined) {
    matcher = new EndpointMatcher(endpoints);
    MATCHERS.set(endpoints, matcher);
  }
  return matcher;
}
