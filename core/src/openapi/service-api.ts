import type { HttpMethod } from '../envelope/envelope';

/**
 * A service described by OpenAPI, as the exchange uses it: its operations,
 * each with the schemas its parameters, bodies and answers are checked by.
 * Made from a document by `readServiceApi`; pure data, so it can be built
 * and checked in a worker and used anywhere.
 */

/** A JSON Schema (2020-12) as Ajv compiles it; refs to components are `COMPONENTS_ID#/$defs/NAME`. */
export type OperationSchema = Record<string, unknown> | boolean;

/** Where a parameter travels. Cookies are not carried by the exchange, so they are not checked. */
export type ParameterLocation = 'path' | 'query' | 'header';

/** An endpoint: a method and a path template below the service, e.g. `GET /persons/{registerNumber}`. */
export interface ServiceEndpoint {
  readonly method: HttpMethod;
  /** OpenAPI path template, starting with `/`. */
  readonly path: string;
}

/** One parameter of an operation. */
export interface OperationParameter {
  readonly name: string;
  readonly in: ParameterLocation;
  readonly required: boolean;
  /** Absent: any value (a parameter described by `content`, or with no schema). */
  readonly schema?: OperationSchema;
}

/** Schemas by media type (`type/subtype`, `type/*` or `*\/*`, lower case); undefined: any body. */
export type MediaTypeSchemas = Readonly<Record<string, OperationSchema | undefined>>;

/** One operation of the document. */
export interface ServiceOperation extends ServiceEndpoint {
  readonly operationId?: string;
  /** JSON pointer of the operation in the document, for errors. */
  readonly pointer: string;
  /** Path-item and operation parameters merged (the operation's win). */
  readonly parameters: readonly OperationParameter[];
  /** Absent: the operation takes no body. */
  readonly requestBody?: { readonly required: boolean; readonly content: MediaTypeSchemas };
  /** By status (`200`), range (`2XX`) or `default`. */
  readonly responses: Readonly<Record<string, MediaTypeSchemas>>;
}

/** A service's OpenAPI document, read. */
export interface ServiceApi {
  /** `3.0` or `3.1`: 3.0 schemas are turned into 2020-12 ones when read. */
  readonly openapi: '3.0' | '3.1';
  readonly operations: readonly ServiceOperation[];
  /** `components/schemas`, as 2020-12 schemas the operations' schemas refer to. */
  readonly components: Readonly<Record<string, OperationSchema>>;
}

/** The `$id` under which a document's component schemas are compiled (as `$defs`). */
export const COMPONENTS_ID = 'urn:ortoo:openapi:components';

/** The endpoints of a service, in document order: what access rights and `listMethods` name. */
export function endpointsOf(api: ServiceApi): ServiceEndpoint[] {
  return api.operations.map(({ method, path }) => ({ method, path }));
}

/**
 * An endpoint's path as X-Road's metaservices list it: each templated
 * segment (`{registerNumber}`) is the wildcard `*`.
 */
export function xroadEndpointPath(template: string): string {
  return template
    .split('/')
    .map((segment) => (segment.includes('{') ? '*' : segment))
    .join('/');
}
