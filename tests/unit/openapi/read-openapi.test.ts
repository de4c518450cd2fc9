import {
  CompiledServiceApi,
  MAX_OPENAPI_BYTES,
  endpointsOf,
  isOrtooError,
  parseOpenApiText,
  readServiceApi,
  xroadEndpointPath,
} from '../../../core/src';
import { PETS_OPENAPI_JSON, RECORDS_OPENAPI_YAML } from '../../helpers/openapi-fixtures';

/** The pointer and reason of the `InvalidOpenApi` error `run` throws. */
function faultOf(run: () => unknown): { pointer: string; reason: string } {
  try {
    run();
  } catch (error) {
    if (isOrtooError(error, 'InvalidOpenApi')) return error.detail as { pointer: string; reason: string };
    throw error;
  }
  throw new Error('expected InvalidOpenApi');
}

/** A minimal 3.1 document with `paths` and `components` as given. */
function doc(paths: Record<string, unknown>, components?: Record<string, unknown>) {
  return {
    openapi: '3.1.0',
    info: { title: 't', version: '1' },
    paths,
    ...(components === undefined ? {} : { components }),
  };
}

const OK = { '200': { description: 'ok' } };

describe('reading an OpenAPI document', () => {
  it('reads a 3.0 YAML document: its endpoints in document order, refs to components resolved', () => {
    const api = readServiceApi(parseOpenApiText(RECORDS_OPENAPI_YAML));
    expect(api.openapi).toBe('3.0');
    expect(endpointsOf(api)).toEqual([
      { method: 'GET', path: '/persons/{registerNumber}' },
      { method: 'GET', path: '/persons/{registerNumber}/addresses' },
      { method: 'POST', path: '/certificates' },
    ]);
    const [person, addresses] = api.operations;
    // The path-item parameter, a $ref to components/parameters, is resolved and shared.
    expect(person?.parameters).toEqual([
      {
        name: 'registerNumber',
        in: 'path',
        required: true,
        schema: { $ref: 'urn:ortoo:openapi:components#/$defs/RegisterNumber' },
      },
    ]);
    expect(addresses?.parameters.map((p) => `${p.in}:${p.name}`)).toEqual([
      'path:registerNumber',
      'query:from',
    ]);
    // A $ref to components/responses is resolved, with its media type.
    expect(Object.keys(person?.responses['404'] ?? {})).toEqual(['application/problem+json']);
  });

  it("turns 3.0's nullable into a 2020-12 union type", () => {
    const api = readServiceApi(parseOpenApiText(RECORDS_OPENAPI_YAML));
    const registered = api.components.RegisteredAddress as { properties: { to: unknown } };
    expect(registered.properties.to).toEqual({ type: ['string', 'null'], format: 'date' });
  });

  it('reads a 3.1 JSON document the same way, and compiles it (recursive schemas, annotations)', () => {
    const api = readServiceApi(parseOpenApiText(PETS_OPENAPI_JSON));
    expect(api.openapi).toBe('3.1');
    expect(endpointsOf(api).map(({ method, path: p }) => `${method} ${p}`)).toEqual([
      'GET /pets',
      'POST /pets',
      'GET /pets/mine',
      'GET /pets/{id}',
      'DELETE /pets/{id}',
      'GET /files/{name}.{ext}',
    ]);
    expect(() => new CompiledServiceApi(api)).not.toThrow();
  });

  it('reads the same document alike from JSON and from YAML', () => {
    const json = parseOpenApiText(PETS_OPENAPI_JSON);
    const { stringify } = jest.requireActual<typeof import('yaml')>('yaml');
    expect(parseOpenApiText(stringify(json))).toEqual(json);
  });

  it.each([
    [{ ...doc({}), openapi: '2.0' }, '/openapi'],
    [{ ...doc({ '/a': { get: { responses: OK } } }), info: { title: 't' } }, '/info'],
    [doc({}), '/paths'],
    [doc({ a: { get: { responses: OK } } }), '/paths/a'],
    [doc({ '/a/{id}': { get: { responses: OK } } }), '/paths/~1a~1{id}/get/parameters'],
    [
      doc({ '/a/{id}': { get: { parameters: [{ name: 'id', in: 'path', schema: {} }], responses: OK } } }),
      '/paths/~1a~1{id}/get/parameters/0/required',
    ],
    [
      doc({ '/a': { get: { parameters: [{ name: 'q', in: 'body' }], responses: OK } } }),
      '/paths/~1a/get/parameters/0/in',
    ],
    [doc({ '/a': { get: {} } }), '/paths/~1a/get/responses'],
    [
      doc({ '/a': { get: { responses: { '299x': { description: 'x' } } } } }),
      '/paths/~1a/get/responses/299x',
    ],
    [
      doc({ '/a': { get: { responses: { '200': { $ref: '#/components/responses/Nope' } } } } }),
      '/paths/~1a/get/responses/200/$ref',
    ],
    [
      doc({ '/a': { get: { responses: { '200': { $ref: 'https://example.com/x.json' } } } } }),
      '/paths/~1a/get/responses/200/$ref',
    ],
    [
      doc({
        '/a': {
          get: {
            responses: {
              '200': {
                description: 'x',
                content: { 'application/json': { schema: { $ref: '#/components/schemas/Missing' } } },
              },
            },
          },
        },
      }),
      '/paths/~1a/get/responses/200/content/application~1json/schema/$ref',
    ],
    [
      doc(
        { '/a': { get: { responses: OK } } },
        { schemas: { Bad: { properties: { x: { $ref: '#/paths' } } } } },
      ),
      '/components/schemas/Bad/properties/x/$ref',
    ],
    [
      doc({
        '/a/{x}': { get: { parameters: [{ name: 'x', in: 'path', required: true }], responses: OK } },
        '/a/{y}': { get: { parameters: [{ name: 'y', in: 'path', required: true }], responses: OK } },
      }),
      '/paths/~1a~1{y}',
    ],
  ])('refuses a bad document, naming where: %#', (document, pointer) => {
    expect(faultOf(() => readServiceApi(document as Record<string, unknown>)).pointer).toBe(pointer);
  });

  it('refuses a cycle of $refs between components, naming where it was found', () => {
    const document = doc(
      { '/a': { get: { responses: { '200': { $ref: '#/components/responses/A' } } } } },
      { responses: { A: { $ref: '#/components/responses/B' }, B: { $ref: '#/components/responses/A' } } },
    );
    expect(faultOf(() => readServiceApi(document)).reason).toMatch(/cycle/);
  });

  it('refuses a schema that does not compile, naming its pointer', () => {
    const document = doc({
      '/a': {
        post: {
          requestBody: { content: { 'application/json': { schema: { type: 'strin' } } } },
          responses: OK,
        },
      },
    });
    const api = readServiceApi(document);
    expect(faultOf(() => new CompiledServiceApi(api)).pointer).toBe(
      '/paths/~1a/post/requestBody/content/application~1json/schema',
    );
  });

  it('refuses text that is neither JSON nor YAML, YAML with duplicate keys, and a YAML alias bomb', () => {
    expect(faultOf(() => parseOpenApiText('{"openapi": ')).reason).toMatch(/not JSON/);
    expect(faultOf(() => parseOpenApiText('openapi: 3.1.0\nopenapi: 3.0.0\n')).reason).toMatch(/not YAML/);
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (let i = 0; i < 9; i += 1)
      bomb.push(
        `${'b'.repeat(i + 1)}: &b${i} [${Array(9)
          .fill(i === 0 ? '*a' : `*b${i - 1}`)
          .join(', ')}]`,
      );
    expect(faultOf(() => parseOpenApiText(bomb.join('\n'))).reason).toMatch(/usable YAML/);
    expect(faultOf(() => parseOpenApiText('- just\n- a list\n')).reason).toMatch(/object/);
    expect(faultOf(() => parseOpenApiText('openapi: "\\0"\n')).reason).toMatch(/U\+0000/);
  });

  it('refuses a document larger than the limit, as too large', () => {
    const text = `{"openapi": "3.1.0", "pad": "${'x'.repeat(MAX_OPENAPI_BYTES)}"}`;
    expect(() => parseOpenApiText(text)).toThrow(expect.objectContaining({ code: 'PayloadTooLarge' }));
  });

  it("writes an endpoint's templated segments as X-Road's wildcard", () => {
    expect(xroadEndpointPath('/persons/{registerNumber}/addresses')).toBe('/persons/*/addresses');
    expect(xroadEndpointPath('/files/{name}.{ext}')).toBe('/files/*');
    expect(xroadEndpointPath('/certificates')).toBe('/certificates');
  });
});
