import fc from 'fast-check';
import {
  compileEndpoint,
  endpointAllows,
  formatEndpoint,
  normalizeRequestPath,
  parseEndpoint,
  parseEndpointText,
  type HttpMethod,
} from '../../../core/src';
import { ortooErrorOf } from '../../helpers/exchange-fixtures';

/** Fixed seed and bounded runs: the same cases every time, in well under a second. */
const RUNS = { seed: 20261207, numRuns: 300 };

function allows(endpoint: string, method: HttpMethod, path: string): boolean {
  return endpointAllows(compileEndpoint(parseEndpointText(endpoint)), method, normalizeRequestPath(path));
}

describe('normalizeRequestPath', () => {
  it('keeps a plain path as it is, and reads the service itself as /', () => {
    expect(normalizeRequestPath('/persons/ABC123')).toEqual({ ok: true, path: '/persons/ABC123' });
    expect(normalizeRequestPath('')).toEqual({ ok: true, path: '/' });
    expect(normalizeRequestPath('/')).toEqual({ ok: true, path: '/' });
  });

  it('decodes escapes of unreserved characters in either case, and upper-cases the others', () => {
    expect(normalizeRequestPath('/persons/%7ejohn%2D%41')).toEqual({ ok: true, path: '/persons/~john-A' });
    expect(normalizeRequestPath('/q/a%3ab%c3%a9')).toEqual({ ok: true, path: '/q/a%3Ab%C3%A9' });
  });

  it('escapes raw characters outside pchar as UTF-8, so both spellings are one path', () => {
    expect(normalizeRequestPath('/persons/Бат')).toEqual(normalizeRequestPath('/persons/%D0%91%D0%B0%D1%82'));
    expect(normalizeRequestPath('/a"b')).toEqual({ ok: true, path: '/a%22b' });
  });

  it('keeps a trailing slash: /persons/ is not /persons', () => {
    expect(normalizeRequestPath('/persons/')).toEqual({ ok: true, path: '/persons/' });
  });

  it.each([
    ['/persons/x/../../admin', 'dot-segment'],
    ['/persons/./x', 'dot-segment'],
    ['/persons/%2e%2e/admin', 'dot-segment'],
    ['/persons/%2E%2e/admin', 'dot-segment'],
    ['/persons/.%2E/admin', 'dot-segment'],
    ['/persons/%2e', 'dot-segment'],
    ['/..', 'dot-segment'],
    ['/persons%2f..%2fadmin', 'encoded-separator'],
    ['/persons%2F..%2Fadmin', 'encoded-separator'],
    ['/persons%5c..%5cadmin', 'encoded-separator'],
    ['/persons%252f..%252fadmin', 'encoded-percent'],
    ['/persons/%25', 'encoded-percent'],
    ['/persons\\..\\admin', 'backslash'],
    ['/persons//admin', 'empty-segment'],
    ['//admin', 'empty-segment'],
    ['/persons/%00', 'control-character'],
    ['/persons/\u0000', 'control-character'],
    ['/persons/%0a', 'control-character'],
    ['/persons/%7F', 'control-character'],
    ['/persons/%zz', 'broken-escape'],
    ['/persons/%2', 'broken-escape'],
    ['persons', 'not-absolute'],
  ])('refuses %j (%s)', (path, reason) => {
    expect(normalizeRequestPath(path)).toEqual({ ok: false, reason });
  });
});

describe('parseEndpoint', () => {
  it('upper-cases the method and normalises the path pattern like a request path', () => {
    expect(parseEndpoint('get', '/persons/%7Ejohn/*')).toEqual({ method: 'GET', path: '/persons/~john/*' });
    expect(parseEndpointText('* **')).toEqual({ method: '*', path: '**' });
    expect(formatEndpoint(parseEndpointText('POST /certificates'))).toBe('POST /certificates');
  });

  it.each([
    ['the method must be one of', 'FETCH /persons'],
    ['not-absolute', 'GET persons'],
    ['dot-segment', 'GET /persons/../admin'],
    ['dot-segment', 'GET /persons/%2e%2e'],
    ['encoded-separator', 'GET /persons%2fadmin'],
    ['empty-segment', 'GET /persons//x'],
    ['a wildcard is * or **', 'GET /persons/***'],
    ['expected "METHOD /path"', 'GET'],
    ['the path must have 1 to 512 characters', `GET /${'a'.repeat(600)}`],
  ])('refuses an endpoint: %s', (why, text) => {
    const error = ortooErrorOf(() => parseEndpointText(text));
    expect(error.code).toBe('BadRequest');
    expect(error.message).toContain(why);
  });
});

describe('endpointAllows', () => {
  it('matches one segment with a lone *, and never an empty one', () => {
    expect(allows('GET /persons/*', 'GET', '/persons/ABC123')).toBe(true);
    expect(allows('GET /persons/*', 'GET', '/persons')).toBe(false);
    expect(allows('GET /persons/*', 'GET', '/persons/')).toBe(false);
    expect(allows('GET /persons/*', 'GET', '/persons/ABC123/addresses')).toBe(false);
  });

  it('matches within a segment with * in it, never across a /', () => {
    expect(allows('GET /persons/AB*', 'GET', '/persons/AB')).toBe(true);
    expect(allows('GET /persons/AB*', 'GET', '/persons/ABC')).toBe(true);
    expect(allows('GET /persons/AB*', 'GET', '/persons/AB/C')).toBe(false);
    expect(allows('GET /persons/*/addresses', 'GET', '/persons/7/addresses')).toBe(true);
  });

  it('matches across segments with **, and ** alone is every path', () => {
    expect(allows('GET /persons/**', 'GET', '/persons/7/addresses')).toBe(true);
    expect(allows('GET /persons/**', 'GET', '/persons/')).toBe(true);
    expect(allows('GET /persons/**', 'GET', '/personsX')).toBe(false);
    expect(allows('* **', 'DELETE', '')).toBe(true);
    expect(allows('* **', 'DELETE', '/a/b/c')).toBe(true);
  });

  it('takes the method as named, or any for *', () => {
    expect(allows('GET /persons/*', 'POST', '/persons/7')).toBe(false);
    expect(allows('GET /persons/*', 'HEAD', '/persons/7')).toBe(false);
    expect(allows('* /persons/*', 'PATCH', '/persons/7')).toBe(true);
    expect(allows('POST /persons', 'POST', '/persons')).toBe(true);
  });

  it('is case-sensitive in the path, as URLs are, but not in the hex of escapes', () => {
    expect(allows('GET /persons/*', 'GET', '/Persons/7')).toBe(false);
    expect(allows('GET /a%C3%A9', 'GET', '/a%c3%a9')).toBe(true);
    expect(allows('GET /~x', 'GET', '/%7Ex')).toBe(true);
  });

  it('refuses traversal and encoded separators even to **', () => {
    for (const path of [
      '/persons/x/../../admin',
      '/persons%2f..%2fadmin',
      '/persons/%2e%2e/admin',
      '/persons%252f..%252fadmin',
      '/persons\\..\\admin',
    ]) {
      expect(allows('GET /persons/**', 'GET', path)).toBe(false);
      expect(allows('* **', 'GET', path)).toBe(false);
    }
  });

  it('treats regular-expression characters in a pattern as themselves', () => {
    expect(allows('GET /a.b', 'GET', '/a.b')).toBe(true);
    expect(allows('GET /a.b', 'GET', '/aXb')).toBe(false);
    expect(allows('GET /a+(b)', 'GET', '/a+(b)')).toBe(true);
    expect(allows('GET /a+(b)', 'GET', '/aa(b)')).toBe(false);
  });
});

/** A segment of unreserved and sub-delim characters, never `.` or `..`. */
const segment = fc
  .stringMatching(/^[A-Za-z0-9\-._~!$&'()+,;=:@]{1,8}$/)
  .filter((text) => text !== '.' && text !== '..');
const segments = fc.array(segment, { minLength: 1, maxLength: 6 });
const methods = fc.constantFrom<HttpMethod>('GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS');

/** Escapes some of a path's unreserved characters, in random case of hex: the same path spelt otherwise. */
function respell(path: string, picks: readonly boolean[], lower: readonly boolean[]): string {
  return [...path]
    .map((char, at) => {
      if (!/[A-Za-z0-9\-._~]/.test(char) || !picks[at % picks.length]) return char;
      const hex = char.charCodeAt(0).toString(16).padStart(2, '0');
      return `%${lower[at % lower.length] ? hex.toLowerCase() : hex.toUpperCase()}`;
    })
    .join('');
}

describe('endpoint matching, by property', () => {
  it('a lone * matches exactly one segment, ** any number of them', () => {
    fc.assert(
      fc.property(segments, segments, methods, (prefix, rest, method) => {
        const base = `/${prefix.join('/')}`;
        const path = `${base}/${rest.join('/')}`;
        expect(allows(`${method} ${base}/*`, method, path)).toBe(rest.length === 1);
        expect(allows(`${method} ${base}/**`, method, path)).toBe(true);
        expect(allows(`* ${base}/**`, method, path)).toBe(true);
        expect(allows(`${method} ${base}/*`, method, base)).toBe(false);
      }),
      RUNS,
    );
  });

  it('an exact pattern matches its own path, whatever its spelling, and a changed one not', () => {
    fc.assert(
      fc.property(
        segments,
        fc.array(fc.boolean(), { minLength: 1, maxLength: 5 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 5 }),
        (parts, picks, lower) => {
          const path = `/${parts.join('/')}`;
          const respelt = respell(path, picks, lower);
          expect(normalizeRequestPath(respelt)).toEqual(normalizeRequestPath(path));
          expect(allows(`GET ${path}`, 'GET', respelt)).toBe(true);
          expect(allows(`GET ${path}`, 'GET', `${respelt}x`)).toBe(false);
          expect(allows(`GET ${path}`, 'GET', `${respelt}/`)).toBe(false);
          expect(allows(`GET ${path}`, 'POST', respelt)).toBe(false);
        },
      ),
      RUNS,
    );
  });

  it('no spelling of a dot segment, an encoded separator or a double encoding matches anything', () => {
    const dot = fc
      .tuple(fc.constantFrom('.', '%2e', '%2E'), fc.constantFrom('', '.', '%2e', '%2E'))
      .map(([a, b]) => a + b);
    const separator = fc.constantFrom('%2f', '%2F', '%5c', '%5C', '%252f', '%252F', '%255c', '\\', '%25');
    const hostile = fc.oneof(
      fc.tuple(segments, dot, segments).map(([a, d, b]) => `/${a.join('/')}/${d}/${b.join('/')}`),
      fc.tuple(segments, separator, segments).map(([a, s, b]) => `/${a.join('/')}${s}..${s}${b.join('/')}`),
      fc.tuple(segments, segments).map(([a, b]) => `/${a.join('/')}//${b.join('/')}`),
    );
    fc.assert(
      fc.property(hostile, methods, (path, method) => {
        expect(normalizeRequestPath(path).ok).toBe(false);
        expect(allows('* **', method, path)).toBe(false);
        expect(allows('* /**', method, path)).toBe(false);
      }),
      RUNS,
    );
  });

  it('a normalised path is a fixed point, and never holds a separator in disguise', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (raw) => {
        const once = normalizeRequestPath(`/${raw}`);
        if (!once.ok) return;
        expect(normalizeRequestPath(once.path)).toEqual(once);
        expect(once.path).not.toMatch(/%2F|%5C|%25|\\|(^|\/)\.\.?(\/|$)|\/\/./i);
      }),
      RUNS,
    );
  });
});

describe('endpoint matching, against a reference', () => {
  /** The same wildcards as a regular expression: fine for the small cases here, not for hostile ones. */
  function reference(pattern: string, path: string): boolean {
    const source = pattern
      .split('/')
      .map((segment) =>
        segment === '*'
          ? '[^/]+'
          : segment
              .split('**')
              .map((part) => part.split('*').join('[^/]*'))
              .join('.*'),
      )
      .join('/');
    return new RegExp(`^${source}$`).test(path);
  }

  it('agrees with the regular expression of the same pattern on small paths', () => {
    const patternPart = fc.constantFrom('a', 'b', '*', '**', 'ab', 'a*', '*b');
    const pattern = fc
      .array(patternPart, { minLength: 1, maxLength: 4 })
      .map((parts) => `/${parts.join('/')}`)
      .filter((text) => !text.includes('***'));
    const path = fc
      .array(fc.constantFrom('a', 'b', 'ab', 'ba', 'aa', 'bb'), { minLength: 1, maxLength: 5 })
      .map((parts) => `/${parts.join('/')}`);
    fc.assert(
      fc.property(pattern, path, (text, candidate) => {
        expect(allows(`GET ${text}`, 'GET', candidate)).toBe(reference(text, candidate));
      }),
      RUNS,
    );
  });

  it('answers a pattern full of wildcards against a long path at once, where backtracking would not end', () => {
    const pattern = `/${'**a'.repeat(60)}b`;
    const path = `/${'a'.repeat(2000)}`;
    expect(allows(`GET ${pattern}`, 'GET', path)).toBe(false);
    expect(allows(`GET ${pattern}`, 'GET', `${path}b`)).toBe(true);
  });
});
