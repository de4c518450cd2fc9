import fc from 'fast-check';
import {
  CompiledServiceApi,
  EndpointMatcher,
  parseOpenApiText,
  readServiceApi,
  type OperationRequest,
} from '../../../core/src';
import { PETS_OPENAPI_JSON } from '../../helpers/openapi-fixtures';

const PETS = new CompiledServiceApi(readServiceApi(parseOpenApiText(PETS_OPENAPI_JSON)));

const LIST: OperationRequest = { method: 'GET', path: '/pets', query: '', headers: { 'x-trace': 'abcd' } };

/** The error code `run` throws, or `ok`. */
function outcome(run: () => void): string {
  try {
    run();
    return 'ok';
  } catch (error) {
    return (error as { code: string }).code;
  }
}

describe('matching a request to its operation', () => {
  it('prefers a concrete path to a templated one, and decodes path parameters', () => {
    expect(PETS.operationOf('GET', '/pets/mine').operation.path).toBe('/pets/mine');
    expect(PETS.operationOf('GET', '/pets/42')).toMatchObject({
      operation: { path: '/pets/{id}' },
      params: { id: '42' },
    });
    expect(PETS.operationOf('GET', '/files/report%20one.pdf').params).toEqual({
      name: 'report one',
      ext: 'pdf',
    });
  });

  it('answers 404 for a path no template matches and 405, with the methods, for another method', () => {
    expect(outcome(() => PETS.operationOf('GET', '/cats'))).toBe('UnknownOperation');
    expect(outcome(() => PETS.operationOf('GET', '/pets/1/2'))).toBe('UnknownOperation');
    expect(outcome(() => PETS.operationOf('GET', ''))).toBe('UnknownOperation');
    let allowed: unknown;
    try {
      PETS.operationOf('PUT', '/pets/7');
    } catch (error) {
      expect((error as { status: number }).status).toBe(405);
      allowed = (error as { detail: { allowed: unknown } }).detail.allowed;
    }
    expect(allowed).toEqual(['DELETE', 'GET']);
  });

  it.each(['/pets/..', '/pets/%2e%2e', '/pets/.', '/pets/%2E', '/files/..'])(
    'matches no template with the dot segment of %s',
    (raw) => {
      expect(PETS.matcher.match('GET', raw).kind).toBe('none');
    },
  );

  it('lets HEAD use a GET operation', () => {
    expect(PETS.operationOf('HEAD', '/pets/7').operation.method).toBe('GET');
  });

  it.each(['/pets/..', '/pets/%2e%2e', '/pets%2F7', '/pets/7%2Fdelete', '/pets/%E0%A4%A', '/pets//7'])(
    'keeps %s inside its segment: no traversal, no decoded separator',
    (raw) => {
      const found = PETS.matcher.match('DELETE', raw);
      if (found.kind === 'matched') expect(found.params.id).not.toMatch(/\//);
      expect(outcome(() => PETS.checkRequest({ ...LIST, method: 'DELETE', path: raw }))).not.toBe('ok');
    },
  );

  it('property: a matched template has as many segments as the path, and its literal segments equal the decoded ones', () => {
    const segment = fc.oneof(fc.constantFrom('a', 'b', 'x.y', '{p}'), fc.stringMatching(/^[a-z]{1,3}$/));
    const template = fc.array(segment, { minLength: 1, maxLength: 4 }).map((parts) => {
      let n = 0;
      return `/${parts.map((part) => (part === '{p}' ? `{p${(n += 1)}}` : part)).join('/')}`;
    });
    const pathText = fc
      .array(
        fc.oneof(
          fc.constantFrom('a', 'b', 'x.y', '..', '%2F', '%2e%2e', '', '%'),
          fc.stringMatching(/^[a-z]{1,3}$/),
        ),
        {
          minLength: 0,
          maxLength: 5,
        },
      )
      .map((parts) => `/${parts.join('/')}`);
    fc.assert(
      fc.property(
        fc.uniqueArray(template, { minLength: 1, maxLength: 5 }),
        pathText,
        (templates, requested) => {
          const matcher = new EndpointMatcher(templates.map((p) => ({ method: 'GET', path: p })));
          const found = matcher.match('GET', requested);
          if (found.kind !== 'matched') return;
          const tpl = (templates[found.index] as string).split('/');
          const parts = requested.split('/');
          expect(tpl.length).toBe(parts.length);
          tpl.forEach((piece, i) => {
            if (!piece.includes('{')) expect(decodeURIComponent(parts[i] as string)).toBe(piece);
          });
          for (const value of Object.values(found.params)) expect(value).not.toContain('/');
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('checking a request against its operation', () => {
  it('checks and coerces query and header parameters', () => {
    expect(outcome(() => PETS.checkRequest(LIST))).toBe('ok');
    expect(outcome(() => PETS.checkRequest({ ...LIST, query: 'limit=10&tag=a&tag=b' }))).toBe('ok');
    expect(outcome(() => PETS.checkRequest({ ...LIST, query: 'tag=a' }))).toBe('ok');
    expect(outcome(() => PETS.checkRequest({ ...LIST, query: 'limit=0' }))).toBe('SchemaViolation');
    expect(outcome(() => PETS.checkRequest({ ...LIST, query: 'limit=ten' }))).toBe('SchemaViolation');
    expect(outcome(() => PETS.checkRequest({ ...LIST, headers: {} }))).toBe('SchemaViolation');
    expect(outcome(() => PETS.checkRequest({ ...LIST, headers: { 'x-trace': 'ab' } }))).toBe(
      'SchemaViolation',
    );
  });

  it('names the offending parameter by pointer', () => {
    try {
      PETS.checkRequest({ ...LIST, query: 'limit=1000' });
    } catch (error) {
      const { errors } = (error as { detail: { errors: { pointer: string }[] } }).detail;
      expect(errors[0]?.pointer).toBe('/query/limit');
    }
    expect.assertions(1);
  });

  it('checks path parameters by their schema', () => {
    const get = (p: string) => outcome(() => PETS.checkRequest({ ...LIST, path: p, headers: {} }));
    expect(get('/pets/12')).toBe('ok');
    expect(get('/pets/twelve')).toBe('SchemaViolation');
    expect(get('/pets/99999999999')).toBe('SchemaViolation'); // beyond int32
    expect(get('/files/a.txt')).toBe('ok');
    expect(get('/files/a.exe')).toBe('SchemaViolation');
  });

  it('checks a JSON body, takes a declared media type range as bytes, and refuses other media types with 415', () => {
    const post = (contentType: string | undefined, body?: unknown) =>
      outcome(() =>
        PETS.checkRequest({
          method: 'POST',
          path: '/pets',
          query: '',
          headers: {},
          ...(contentType === undefined ? {} : { contentType }),
          ...(body === undefined ? {} : { body: body as never }),
        }),
      );
    expect(post('application/json', { name: 'Rex', children: [{ name: 'Pup', tag: null }] })).toBe('ok');
    expect(post('application/json; charset=utf-8', { name: 'Rex' })).toBe('ok');
    expect(post('application/json', { children: [] })).toBe('SchemaViolation');
    expect(post('application/json', { name: 'Rex', children: [{ tag: 'no name' }] })).toBe('SchemaViolation');
    expect(post('image/png')).toBe('ok');
    expect(post('text/plain')).toBe('UnsupportedMediaType');
    expect(post(undefined)).toBe('SchemaViolation'); // the body is required
    // An operation without a request body takes none.
    expect(outcome(() => PETS.checkRequest({ ...LIST, contentType: 'application/json', body: {} }))).toBe(
      'UnsupportedMediaType',
    );
  });
});

describe('checking an answer against its operation', () => {
  const answer = (status: number, contentType: string | undefined, body?: unknown, p = '/pets/1') =>
    outcome(() =>
      PETS.checkAnswer(
        { method: 'GET', path: p },
        {
          status,
          ...(contentType === undefined ? {} : { contentType }),
          ...(body === undefined ? {} : { body: body as never }),
        },
      ),
    );

  it('checks the body by the schema of its status and media type', () => {
    expect(answer(200, 'application/json', { name: 'Rex' })).toBe('ok');
    expect(answer(200, 'application/json', { tag: 'x' })).toBe('SchemaViolation');
    expect(answer(200, 'application/json', [{ name: 'a' }], '/pets')).toBe('ok');
    expect(answer(200, 'application/json', [{ nom: 'a' }], '/pets')).toBe('SchemaViolation');
  });

  it('refuses a success of an undeclared status or media type, and lets undeclared errors through', () => {
    expect(answer(201, 'application/json', { name: 'Rex' }, '/pets')).toBe('SchemaViolation');
    expect(answer(200, 'text/html', undefined, '/pets')).toBe('SchemaViolation');
    expect(answer(503, 'text/plain', undefined, '/pets')).toBe('ok');
    // `default` covers every status of /pets/{id}; it declares no content, so an error passes as sent.
    expect(answer(500, 'text/plain', undefined)).toBe('ok');
  });

  it('matches a status range (4XX)', () => {
    const post = (status: number, body: unknown) =>
      outcome(() =>
        PETS.checkAnswer(
          { method: 'POST', path: '/pets' },
          { status, contentType: 'application/json', body: body as never },
        ),
      );
    expect(post(422, { error: 'no name' })).toBe('ok');
    expect(post(422, { message: 'no name' })).toBe('SchemaViolation');
  });
});
