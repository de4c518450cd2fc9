import { parseDocument } from 'yaml';
import type { HttpMethod } from '../envelope/envelope';
import { OrtooError } from '../errors';
import { isStorableText } from '../http/strict-json';
import {
  COMPONENTS_ID,
  type MediaTypeSchemas,
  type OperationParameter,
  type OperationSchema,
  type ParameterLocation,
  type ServiceApi,
  type ServiceOperation,
} from './service-api';

/** Largest OpenAPI document a service may be published with, in bytes of its text. */
export const MAX_OPENAPI_BYTES = 1024 * 1024;
/** Most operations one document may have. */
export const MAX_OPENAPI_OPERATIONS = 500;
/** Most YAML aliases one document may use: a few keep it readable, many are a "billion laughs". */
const MAX_YAML_ALIASES = 100;
/** Deepest chain of `$ref`s to `$ref`s that is followed. */
const MAX_REF_CHAIN = 16;

type Json = Record<string, unknown>;

/** OpenAPI's operation keys and the exchange's method for each (TRACE is not carried). */
const METHODS: readonly [string, HttpMethod][] = [
  ['get', 'GET'],
  ['put', 'PUT'],
  ['post', 'POST'],
  ['delete', 'DELETE'],
  ['options', 'OPTIONS'],
  ['head', 'HEAD'],
  ['patch', 'PATCH'],
];

const LOCATIONS: readonly string[] = ['path', 'query', 'header', 'cookie'];
const DIALECTS: readonly string[] = [
  'https://json-schema.org/draft/2020-12/schema',
  'https://spec.openapis.org/oas/3.1/dialect/base',
];

/** Escapes one JSON Pointer reference token (RFC 6901 §3). */
export function pointerToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

function invalid(pointer: string, reason: string): OrtooError {
  return new OrtooError(
    'InvalidOpenApi',
    `OpenAPI document: ${pointer === '' ? '(root)' : pointer} ${reason}`,
    {
      detail: { pointer, reason },
    },
  );
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The JSON value of an OpenAPI document sent as text, JSON or YAML (1.2, core
 * schema: what OpenAPI 3 asks for), size bounded, without duplicate keys and
 * with few aliases.
 *
 * @throws OrtooError `PayloadTooLarge` beyond {@link MAX_OPENAPI_BYTES};
 *   `InvalidOpenApi` when it is neither JSON nor YAML, or not an object.
 */
export function parseOpenApiText(text: string): Json {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_OPENAPI_BYTES) {
    throw new OrtooError(
      'PayloadTooLarge',
      `An OpenAPI document is at most ${MAX_OPENAPI_BYTES} bytes; this one has ${bytes}`,
      { detail: { limitBytes: MAX_OPENAPI_BYTES, bytes } },
    );
  }
  // JSON is YAML too, but read as JSON it is faster and its errors clearer.
  if (/^\s*\{/.test(text)) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw invalid('', `is not JSON: ${(error as Error).message}`);
    }
    if (!isObject(value)) throw invalid('', 'must be an object');
    assertPlainDocument(value);
    return value;
  }
  const document = parseDocument(text, { uniqueKeys: true, prettyErrors: true, schema: 'core' });
  const [first] = document.errors;
  if (first !== undefined) throw invalid('', `is not YAML: ${first.message.split('\n')[0] ?? ''}`);
  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (error) {
    throw invalid('', `is not usable YAML: ${(error as Error).message}`);
  }
  if (!isObject(value)) throw invalid('', 'must be an object');
  assertPlainDocument(value);
  return value;
}

/** Deepest nesting of a document's values. */
const MAX_DEPTH = 64;

/**
 * Checks that a document is plain JSON every store keeps: finite numbers,
 * no U+0000 or lone surrogate in any key or string, nesting bounded.
 *
 * @throws OrtooError `InvalidOpenApi` naming the first value that is not.
 */
export function assertPlainDocument(value: unknown, pointer = '', depth = 0): void {
  if (depth > MAX_DEPTH) throw invalid(pointer, `nests deeper than ${MAX_DEPTH}`);
  if (typeof value === 'string') {
    if (!isStorableText(value)) throw invalid(pointer, 'holds U+0000 or a lone surrogate');
  } else if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw invalid(pointer, 'is a number JSON cannot hold');
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => assertPlainDocument(item, `${pointer}/${i}`, depth + 1));
  } else if (isObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      const here = `${pointer}/${pointerToken(key)}`;
      if (!isStorableText(key)) throw invalid(here, 'is a key with U+0000 or a lone surrogate');
      assertPlainDocument(item, here, depth + 1);
    }
  } else if (value !== null && typeof value !== 'boolean') {
    throw invalid(pointer, 'is not a JSON value');
  }
}

/** The value a local `#/...` pointer names in the document, or undefined. */
function resolvePointer(document: Json, ref: string): unknown {
  let value: unknown = document;
  for (const raw of ref.slice(2).split('/')) {
    let token: string;
    try {
      token = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    } catch {
      return undefined;
    }
    if (Array.isArray(value)) value = /^(0|[1-9]\d*)$/.test(token) ? value[Number(token)] : undefined;
    else if (isObject(value)) value = Object.hasOwn(value, token) ? value[token] : undefined;
    else return undefined;
  }
  return value;
}

/** Reads one document; state shared by the functions that walk it. */
class DocumentReader {
  readonly #document: Json;
  readonly #version: '3.0' | '3.1';

  constructor(document: Json, version: '3.0' | '3.1') {
    this.#document = document;
    this.#version = version;
  }

  /**
   * An object that may be a `$ref` to a component (a parameter, a request
   * body, a response): the object it names, followed through chains of refs.
   * Only refs inside the document are followed; the exchange fetches nothing.
   */
  deref(value: unknown, pointer: string): { value: Json; pointer: string } {
    let current = value;
    let where = pointer;
    for (let hops = 0; isObject(current) && typeof current.$ref === 'string'; hops += 1) {
      const ref = current.$ref;
      if (hops === MAX_REF_CHAIN)
        throw invalid(where, `$ref chain is longer than ${MAX_REF_CHAIN} (a cycle?)`);
      if (!ref.startsWith('#/')) {
        throw invalid(`${where}/$ref`, `${ref.slice(0, 200)} is not a ref inside the document (#/...)`);
      }
      const target = resolvePointer(this.#document, ref);
      if (target === undefined) throw invalid(`${where}/$ref`, `${ref.slice(0, 200)} names nothing`);
      current = target;
      where = ref.slice(1);
    }
    if (!isObject(current)) throw invalid(where, 'must be an object');
    return { value: current, pointer: where };
  }

  /**
   * A schema as Ajv compiles it (2020-12): refs to `#/components/schemas/…`
   * point into {@link COMPONENTS_ID}, so recursive schemas work; any other
   * ref, or one that names nothing, is refused. A 3.0 schema's `nullable`
   * and boolean `exclusiveMinimum`/`exclusiveMaximum` become their 2020-12
   * forms.
   */
  schema(value: unknown, pointer: string): OperationSchema {
    if (typeof value === 'boolean') return value;
    if (!isObject(value)) throw invalid(pointer, 'must be a schema (an object)');
    const out: Json = {};
    for (const [key, child] of Object.entries(value)) {
      const here = `${pointer}/${pointerToken(key)}`;
      if (key === '$ref' && typeof child === 'string') {
        out.$ref = this.#schemaRef(child, here);
      } else if (SCHEMA_MAPS.has(key) && isObject(child)) {
        out[key] = Object.fromEntries(
          Object.entries(child).map(([name, sub]) => [
            name,
            this.schema(sub, `${here}/${pointerToken(name)}`),
          ]),
        );
      } else if (SCHEMA_LISTS.has(key) && Array.isArray(child)) {
        out[key] = child.map((sub, i) => this.schema(sub, `${here}/${i}`));
      } else if (SCHEMA_VALUES.has(key) && (isObject(child) || typeof child === 'boolean')) {
        out[key] = this.schema(child, here);
      } else if (key === 'items' && Array.isArray(child)) {
        throw invalid(here, 'must be one schema (tuples are prefixItems)');
      } else {
        out[key] = child;
      }
    }
    if (this.#version === '3.0') from30(out);
    return out;
  }

  #schemaRef(ref: string, pointer: string): string {
    const prefix = '#/components/schemas/';
    if (!ref.startsWith(prefix)) {
      throw invalid(pointer, `${ref.slice(0, 200)}: a schema may refer only to #/components/schemas/...`);
    }
    if (resolvePointer(this.#document, ref) === undefined) {
      throw invalid(pointer, `${ref.slice(0, 200)} names nothing`);
    }
    return `${COMPONENTS_ID}#/$defs/${ref.slice(prefix.length)}`;
  }

  /** The schemas of a `content` map, by media type (lower case). */
  content(value: unknown, pointer: string): MediaTypeSchemas {
    if (!isObject(value)) throw invalid(pointer, 'must be an object of media types');
    const out: Record<string, OperationSchema | undefined> = {};
    for (const [type, media] of Object.entries(value)) {
      const here = `${pointer}/${pointerToken(type)}`;
      if (!/^[a-z0-9!#$&^_.+*-]+\/[a-z0-9!#$&^_.+*-]+$/i.test(type.trim())) {
        throw invalid(here, 'is not a media type');
      }
      if (!isObject(media)) throw invalid(here, 'must be a media type object');
      out[type.trim().toLowerCase()] =
        media.schema === undefined ? undefined : this.schema(media.schema, `${here}/schema`);
    }
    return out;
  }

  parameters(list: unknown, pointer: string): OperationParameter[] {
    if (list === undefined) return [];
    if (!Array.isArray(list)) throw invalid(pointer, 'must be an array');
    const out: OperationParameter[] = [];
    list.forEach((item, i) => {
      const { value, pointer: here } = this.deref(item, `${pointer}/${i}`);
      const { name, in: location } = value;
      if (typeof name !== 'string' || name === '')
        throw invalid(`${here}/name`, 'must be a non-empty string');
      if (typeof location !== 'string' || !LOCATIONS.includes(location)) {
        throw invalid(`${here}/in`, 'must be path, query, header or cookie');
      }
      if (location === 'cookie') return;
      if (location === 'path' && value.required !== true)
        throw invalid(`${here}/required`, 'must be true for a path parameter');
      let schema: OperationSchema | undefined;
      if (value.schema !== undefined) schema = this.schema(value.schema, `${here}/schema`);
      else if (value.content !== undefined) this.content(value.content, `${here}/content`);
      out.push({
        name: location === 'header' ? name.toLowerCase() : name,
        in: location as ParameterLocation,
        required: value.required === true,
        ...(schema === undefined ? {} : { schema }),
      });
    });
    return out;
  }

  operation(path: string, method: HttpMethod, value: unknown, pointer: string, shared: OperationParameter[]) {
    if (!isObject(value)) throw invalid(pointer, 'must be an operation object');
    const own = this.parameters(value.parameters, `${pointer}/parameters`);
    const key = (p: OperationParameter) => `${p.in} ${p.name}`;
    const parameters = [...shared.filter((p) => !own.some((o) => key(o) === key(p))), ...own];
    for (const name of templateNames(path)) {
      if (!parameters.some((p) => p.in === 'path' && p.name === name)) {
        throw invalid(`${pointer}/parameters`, `has no path parameter ${name} for the template ${path}`);
      }
    }
    let requestBody: ServiceOperation['requestBody'];
    if (value.requestBody !== undefined) {
      const body = this.deref(value.requestBody, `${pointer}/requestBody`);
      requestBody = {
        required: body.value.required === true,
        content: this.content(body.value.content, `${body.pointer}/content`),
      };
    }
    const { responses } = value;
    if (!isObject(responses)) throw invalid(`${pointer}/responses`, 'must be an object');
    const answers: Record<string, MediaTypeSchemas> = {};
    for (const [status, response] of Object.entries(responses)) {
      const here = `${pointer}/responses/${pointerToken(status)}`;
      if (!/^([1-5](\d\d|XX)|default)$/.test(status))
        throw invalid(here, 'is not a status, a range like 2XX, or default');
      const answer = this.deref(response, here);
      answers[status] =
        answer.value.content === undefined
          ? {}
          : this.content(answer.value.content, `${answer.pointer}/content`);
    }
    const operation: ServiceOperation = {
      method,
      path,
      ...(typeof value.operationId === 'string' ? { operationId: value.operationId } : {}),
      pointer,
      parameters,
      ...(requestBody === undefined ? {} : { requestBody }),
      responses: answers,
    };
    return operation;
  }
}

/** Keywords whose value is a map of schemas, a list of schemas, or one schema. */
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas']);
const SCHEMA_LISTS = new Set(['allOf', 'anyOf', 'oneOf', 'prefixItems']);
const SCHEMA_VALUES = new Set([
  'items',
  'additionalProperties',
  'not',
  'if',
  'then',
  'else',
  'contains',
  'propertyNames',
  'unevaluatedItems',
  'unevaluatedProperties',
  'additionalItems',
]);

/** OpenAPI 3.0's schema dialect, in place, as 2020-12 says it. */
function from30(schema: Json): void {
  if (schema.nullable === true) {
    if (typeof schema.type === 'string') schema.type = [schema.type, 'null'];
    if (Array.isArray(schema.enum) && !schema.enum.includes(null)) schema.enum = [...schema.enum, null];
  }
  delete schema.nullable;
  for (const [bound, exclusive] of [
    ['minimum', 'exclusiveMinimum'],
    ['maximum', 'exclusiveMaximum'],
  ] as const) {
    if (schema[exclusive] === true) {
      schema[exclusive] = schema[bound];
      delete schema[bound];
    } else if (schema[exclusive] === false) {
      delete schema[exclusive];
    }
  }
}

/** The names in a path template's braces, e.g. `registerNumber` of `/persons/{registerNumber}`. */
export function templateNames(path: string): string[] {
  return [...path.matchAll(/\{([^{}/]+)\}/g)].map((match) => match[1] ?? '');
}

const PATH_TEMPLATE = /^\/(?:[^{}/?#]*(?:\{[^{}/]+\})?)*(?:\/(?:[^{}/?#]*(?:\{[^{}/]+\})?)*)*$/;

/**
 * Reads an OpenAPI 3.0 or 3.1 document into the operations the exchange
 * checks requests and answers by. Checks what it reads: the version, every
 * path template and the parameters it names, every operation's parameters,
 * request body and responses, every `$ref` (inside the document only; a
 * schema's only to `components/schemas`), and the number of operations.
 * Schemas are not compiled here (see `compileServiceApi`).
 *
 * @throws OrtooError `InvalidOpenApi` naming the JSON pointer of the fault.
 */
export function readServiceApi(document: Json): ServiceApi {
  const { openapi } = document;
  if (typeof openapi !== 'string' || !/^3\.[01]\.\d+$/.test(openapi)) {
    throw invalid('/openapi', 'must be an OpenAPI version 3.0.x or 3.1.x');
  }
  const version = openapi.startsWith('3.0') ? '3.0' : '3.1';
  if (version === '3.1' && document.jsonSchemaDialect !== undefined) {
    if (typeof document.jsonSchemaDialect !== 'string' || !DIALECTS.includes(document.jsonSchemaDialect)) {
      throw invalid('/jsonSchemaDialect', `must be one of ${DIALECTS.join(', ')}`);
    }
  }
  if (
    !isObject(document.info) ||
    typeof document.info.title !== 'string' ||
    typeof document.info.version !== 'string'
  ) {
    throw invalid('/info', 'must have a title and a version');
  }
  const { paths } = document;
  if (!isObject(paths)) throw invalid('/paths', 'must be an object (the service is its operations)');
  const reader = new DocumentReader(document, version);
  const components: Record<string, OperationSchema> = {};
  const componentSchemas = isObject(document.components) ? document.components.schemas : undefined;
  if (componentSchemas !== undefined) {
    if (!isObject(componentSchemas)) throw invalid('/components/schemas', 'must be an object');
    for (const [name, schema] of Object.entries(componentSchemas)) {
      if (!/^[A-Za-z0-9._-]+$/.test(name))
        throw invalid(`/components/schemas/${pointerToken(name)}`, 'is not a component name');
      components[name] = reader.schema(schema, `/components/schemas/${name}`);
    }
  }
  const operations: ServiceOperation[] = [];
  const seen = new Map<string, string>();
  for (const [path, item] of Object.entries(paths)) {
    const here = `/paths/${pointerToken(path)}`;
    if (!PATH_TEMPLATE.test(path)) throw invalid(here, 'is not a path template (/segment/{name}/...)');
    const names = templateNames(path);
    if (new Set(names).size !== names.length) throw invalid(here, 'names a path parameter twice');
    // Two templates that differ only in their parameters' names match the same requests.
    const shape = path.replace(/\{[^{}/]+\}/g, '{}');
    const earlier = seen.get(shape);
    if (earlier !== undefined) throw invalid(here, `matches the same paths as ${earlier}`);
    seen.set(shape, path);
    const { value: pathItem, pointer } = reader.deref(item, here);
    const shared = reader.parameters(pathItem.parameters, `${pointer}/parameters`);
    for (const [key, method] of METHODS) {
      if (pathItem[key] === undefined) continue;
      operations.push(reader.operation(path, method, pathItem[key], `${pointer}/${key}`, shared));
      if (operations.length > MAX_OPENAPI_OPERATIONS) {
        throw invalid('/paths', `has more than ${MAX_OPENAPI_OPERATIONS} operations`);
      }
    }
  }
  if (operations.length === 0) throw invalid('/paths', 'has no operation');
  return { openapi: version, operations, components };
}
