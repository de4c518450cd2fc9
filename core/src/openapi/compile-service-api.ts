import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { HttpMethod } from '../envelope/envelope';
import type { JsonValue } from '../envelope/canonical-json';
import { OrtooError } from '../errors';
import { mediaTypeEssence } from '../exchange/accepted-media-type';
import { DEFAULT_MAX_SCHEMA_ERRORS } from '../schemas/schema-registry';
import { toSchemaErrors, type SchemaError } from '../schemas/schema-error';
import { EndpointMatcher } from './endpoint-matcher';
import { pointerToken } from './read-openapi';
import {
  COMPONENTS_ID,
  endpointsOf,
  type MediaTypeSchemas,
  type OperationSchema,
  type ServiceApi,
  type ServiceOperation,
} from './service-api';

/** What of a request the operation's schemas check. */
export interface OperationRequest {
  readonly method: HttpMethod;
  /** Below the service, `''` or starting with `/`. */
  readonly path: string;
  /** Raw query string, without `?`. */
  readonly query: string;
  /** Names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  /** Absent: no body. */
  readonly contentType?: string;
  /** The body when it is JSON. */
  readonly body?: JsonValue;
}

/** An answer, as its operation's responses check it. */
export interface OperationAnswer {
  readonly status: number;
  readonly contentType?: string;
  /** The body when it is JSON. */
  readonly body?: JsonValue;
}

/**
 * An Ajv for a document's schemas: 2020-12 with the standard and OpenAPI
 * formats, every error reported. Not strict: OpenAPI schemas carry
 * annotations of their own (`example`, `xml`, `discriminator`, `x-*`), which
 * a strict Ajv would refuse. Parameters, which arrive as text, are coerced
 * to the types their schemas name (`"42"` to 42, one value to a list).
 */
function openApiAjv(api: ServiceApi, coerce: boolean): Ajv2020 {
  const ajv = new Ajv2020({
    strict: false,
    allowUnionTypes: true,
    allErrors: true,
    logger: false,
    ...(coerce ? { coerceTypes: 'array' as const } : {}),
  });
  addFormats(ajv);
  // Formats OpenAPI names beyond JSON Schema's: the numeric ones are checked, the others are annotations.
  const int32 = (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31;
  ajv.addFormat('int32', { type: 'number', validate: int32 });
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
  ajv.addFormat('float', { type: 'number', validate: () => true });
  ajv.addFormat('double', { type: 'number', validate: () => true });
  ajv.addFormat('byte', /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/);
  ajv.addFormat('binary', true);
  ajv.addFormat('password', true);
  ajv.addSchema({ $id: COMPONENTS_ID, $defs: api.components });
  return ajv;
}

function compileAt(ajv: Ajv2020, schema: OperationSchema, pointer: string): ValidateFunction {
  try {
    return ajv.compile(typeof schema === 'boolean' ? schema : { ...schema });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new OrtooError('InvalidOpenApi', `OpenAPI document: ${pointer} is not a usable schema: ${reason}`, {
      detail: { pointer, reason },
      cause: error,
    });
  }
}

/** The declared media type a body's type falls under: exact, then `type/*`, then `*\/*`. */
function declaredMediaType(content: MediaTypeSchemas, contentType: string): string | undefined {
  const essence = mediaTypeEssence(contentType);
  if (Object.hasOwn(content, essence)) return essence;
  const range = `${essence.split('/', 1)[0] ?? ''}/*`;
  if (Object.hasOwn(content, range)) return range;
  return Object.hasOwn(content, '*/*') ? '*/*' : undefined;
}

/** The declared response an answer's status falls under: exact, then `2XX`, then `default`. */
function declaredStatus(responses: Readonly<Record<string, unknown>>, status: number): string | undefined {
  const exact = String(status);
  if (Object.hasOwn(responses, exact)) return exact;
  const range = `${exact[0] ?? ''}XX`;
  if (Object.hasOwn(responses, range)) return range;
  return Object.hasOwn(responses, 'default') ? 'default' : undefined;
}

interface CompiledOperation {
  readonly operation: ServiceOperation;
  /** Checks `{path, query, header}` objects; undefined when the operation has no parameters. */
  readonly parameters?: ValidateFunction;
  readonly bodies: ReadonlyMap<string, ValidateFunction>;
  /** By `status media-type`. */
  readonly answers: ReadonlyMap<string, ValidateFunction>;
}

function violation(what: string, errors: SchemaError[]): OrtooError {
  const first = errors[0];
  const where =
    first === undefined ? '' : `: ${first.pointer === '' ? '(root)' : first.pointer} ${first.message}`;
  return new OrtooError('SchemaViolation', `${what} does not match the operation's schema${where}`, {
    detail: { errors },
  });
}

function parametersSchema(operation: ServiceOperation): Record<string, unknown> | undefined {
  if (operation.parameters.length === 0) return undefined;
  const groups: Record<string, { type: 'object'; properties: Record<string, unknown>; required: string[] }> =
    {};
  for (const parameter of operation.parameters) {
    const group = (groups[parameter.in] ??= { type: 'object', properties: {}, required: [] });
    group.properties[parameter.name] = parameter.schema ?? true;
    if (parameter.required) group.required.push(parameter.name);
  }
  return { type: 'object', properties: groups, required: Object.keys(groups) };
}

/** The query's values by name: one value as a string, several as a list (OpenAPI's `form` style, exploded). */
function queryValues(query: string): Record<string, string | string[]> {
  const values: Record<string, string | string[]> = {};
  for (const [name, value] of new URLSearchParams(query)) {
    const earlier = values[name];
    values[name] =
      earlier === undefined ? value : Array.isArray(earlier) ? [...earlier, value] : [earlier, value];
  }
  return values;
}

/**
 * A service's operations compiled for checking, once per document: the
 * endpoint matcher and, for each operation, validators of its parameters,
 * of its request body per media type, and of its answers per status and
 * media type.
 *
 * @throws OrtooError `InvalidOpenApi` naming the schema that does not compile.
 */
export class CompiledServiceApi {
  readonly matcher: EndpointMatcher;
  readonly #operations: CompiledOperation[];

  constructor(api: ServiceApi) {
    const params = openApiAjv(api, true);
    const bodies = openApiAjv(api, false);
    for (const name of Object.keys(api.components)) {
      const pointer = `/components/schemas/${pointerToken(name)}`;
      try {
        bodies.getSchema(`${COMPONENTS_ID}#/$defs/${name}`);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new OrtooError(
          'InvalidOpenApi',
          `OpenAPI document: ${pointer} is not a usable schema: ${reason}`,
          {
            detail: { pointer, reason },
            cause: error,
          },
        );
      }
    }
    this.matcher = new EndpointMatcher(endpointsOf(api));
    this.#operations = api.operations.map((operation) => {
      const schema = parametersSchema(operation);
      const compiledBodies = new Map<string, ValidateFunction>();
      for (const [type, body] of Object.entries(operation.requestBody?.content ?? {})) {
        if (body === undefined) continue;
        compiledBodies.set(
          type,
          compileAt(bodies, body, `${operation.pointer}/requestBody/content/${pointerToken(type)}/schema`),
        );
      }
      const answers = new Map<string, ValidateFunction>();
      for (const [status, content] of Object.entries(operation.responses)) {
        for (const [type, body] of Object.entries(content)) {
          if (body === undefined) continue;
          const pointer = `${operation.pointer}/responses/${status}/content/${pointerToken(type)}/schema`;
          answers.set(`${status} ${type}`, compileAt(bodies, body, pointer));
        }
      }
      return {
        operation,
        ...(schema === undefined
          ? {}
          : { parameters: compileAt(params, schema, `${operation.pointer}/parameters`) }),
        bodies: compiledBodies,
        answers,
      };
    });
  }

  /**
   * The operation a request names.
   *
   * @throws OrtooError `UnknownOperation` (404) when no path template
   *   matches, `OperationMethodNotAllowed` (405) naming the methods that do.
   */
  operationOf(
    method: HttpMethod,
    path: string,
  ): { operation: ServiceOperation; params: Record<string, string> } {
    const { compiled, params } = this.#find(method, path);
    return { operation: compiled.operation, params };
  }

  #find(method: HttpMethod, path: string): { compiled: CompiledOperation; params: Record<string, string> } {
    const found = this.matcher.match(method, path);
    if (found.kind === 'matched') {
      return { compiled: this.#operations[found.index] as CompiledOperation, params: { ...found.params } };
    }
    if (found.kind === 'none') {
      throw new OrtooError(
        'UnknownOperation',
        `The service has no operation at ${path.slice(0, 200) || '/'}`,
        {
          detail: { method, path: path.slice(0, 200) },
        },
      );
    }
    throw new OrtooError(
      'OperationMethodNotAllowed',
      `${method} is not an operation of ${path.slice(0, 200)}`,
      {
        detail: { method, path: path.slice(0, 200), allowed: found.allowed },
      },
    );
  }

  /**
   * Checks a request against its operation: path, query and header
   * parameters; the body's media type (one the operation declares, else
   * 415; a body for an operation that takes none is 415 too); and a JSON
   * body against the schema of its media type.
   *
   * @throws OrtooError `UnknownOperation`, `OperationMethodNotAllowed`,
   *   `UnsupportedMediaType`, `SchemaViolation`.
   */
  checkRequest(request: OperationRequest): void {
    const { compiled, params } = this.#find(request.method, request.path);
    const { operation } = compiled;
    if (compiled.parameters !== undefined) {
      const data = { path: { ...params }, query: queryValues(request.query), header: { ...request.headers } };
      if (!compiled.parameters(data)) {
        throw violation(
          'The request',
          toSchemaErrors(compiled.parameters.errors ?? [], DEFAULT_MAX_SCHEMA_ERRORS),
        );
      }
    }
    const content = operation.requestBody?.content ?? {};
    if (request.contentType === undefined) {
      if (operation.requestBody?.required === true) {
        throw new OrtooError(
          'SchemaViolation',
          `${operation.method} ${operation.path} needs a request body`,
          {
            detail: {
              errors: [
                { pointer: '', keyword: 'required', message: 'request body is required', schemaPointer: '' },
              ],
            },
          },
        );
      }
      return;
    }
    const type = declaredMediaType(content, request.contentType);
    if (type === undefined) {
      const accepted = Object.keys(content);
      throw new OrtooError(
        'UnsupportedMediaType',
        accepted.length === 0
          ? `${operation.method} ${operation.path} takes no request body`
          : `${operation.method} ${operation.path} takes ${accepted.join(', ')} bodies, not ${request.contentType.slice(0, 100)}`,
        { detail: { contentType: request.contentType.slice(0, 100), accepted } },
      );
    }
    const validate = compiled.bodies.get(type);
    if (validate !== undefined && request.body !== undefined && !validate(request.body)) {
      throw violation('The request body', toSchemaErrors(validate.errors ?? [], DEFAULT_MAX_SCHEMA_ERRORS));
    }
  }

  /**
   * Checks an answer against the operation of its request. An answer of a
   * status the operation declares (exactly, by range or as `default`) must
   * be of a media type declared for it, and a JSON body must match its
   * schema; a success (2xx) of a status the document does not declare is
   * refused too. An error answer (4xx, 5xx) the document does not describe
   * passes as the backend sent it.
   *
   * @throws OrtooError `SchemaViolation` naming what does not match.
   */
  checkAnswer(request: Pick<OperationRequest, 'method' | 'path'>, answer: OperationAnswer): void {
    const { compiled } = this.#find(request.method, request.path);
    const { operation } = compiled;
    const status = declaredStatus(operation.responses, answer.status);
    const undeclared = (what: string) =>
      new OrtooError(
        'SchemaViolation',
        `The answer's ${what} is not one ${operation.method} ${operation.path} declares`,
        {
          detail: { status: answer.status, contentType: answer.contentType?.slice(0, 100) },
        },
      );
    if (status === undefined) {
      if (answer.status >= 200 && answer.status < 300) throw undeclared(`status ${answer.status}`);
      return;
    }
    const content = operation.responses[status] ?? {};
    if (answer.contentType === undefined) return;
    const type = declaredMediaType(content, answer.contentType);
    if (type === undefined) {
      if (Object.keys(content).length === 0 && answer.status >= 300) return;
      throw undeclared(`media type ${answer.contentType.slice(0, 100)}`);
    }
    const validate = compiled.answers.get(`${status} ${type}`);
    if (validate !== undefined && answer.body !== undefined && !validate(answer.body)) {
      throw violation('The answer', toSchemaErrors(validate.errors ?? [], DEFAULT_MAX_SCHEMA_ERRORS));
    }
  }
}
