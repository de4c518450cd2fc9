import { parseServiceId, type GlobalConfService } from '../../../core/src';

/** What an OpenAPI description of a service is built from. */
export interface OpenApiSource {
  readonly service: GlobalConfService;
  /** The JSON Schema of its request body (`requestSchemaHash`). */
  readonly requestSchema: Readonly<Record<string, unknown>>;
  /** The JSON Schema of its successful answer's body (`responseSchemaHash`). */
  readonly responseSchema: Readonly<Record<string, unknown>>;
}

/** JSON Schema dialect of the registry's schemas, which OpenAPI 3.1 takes as they are. */
const DIALECT = 'https://json-schema.org/draft/2020-12/schema';

/**
 * A schema ready to sit under `components/schemas`: given an `$id` (from its
 * hash) when it has none, so that its own `#/...` references keep resolving
 * inside it rather than against the OpenAPI document.
 */
function embedded(schema: Readonly<Record<string, unknown>>, hash: string): Record<string, unknown> {
  return '$id' in schema ? { ...schema } : { $id: `urn:ortoo:service-schema:${hash}`, ...schema };
}

function headerParameter(
  name: string,
  description: string,
  required = false,
  schema: object = { type: 'string' },
) {
  return { name, in: 'header', required, description, schema };
}

/**
 * The OpenAPI 3.1 description of a service as a local system calls it
 * through this client proxy: `POST /r1/{provider}/{service}` with the
 * X-Road headers, a JSON body per the service's request schema, and the
 * provider's answer per its response schema (other statuses and media types
 * pass through as the backend sent them). Errors of the exchange itself are
 * X-Road's `{type, message, detail}` with `X-Road-Error`.
 */
export function openApiOf(source: OpenApiSource): Record<string, unknown> {
  const { service } = source;
  const id = parseServiceId(service.id);
  const xRoadAnswerHeaders = {
    'X-Road-Id': { description: 'Message id', schema: { type: 'string' } },
    'X-Road-Client': { description: 'Client subsystem', schema: { type: 'string' } },
    'X-Road-Service': { description: 'Service called', schema: { type: 'string' } },
    'X-Road-Request-Hash': {
      description: 'Hash of the signed request envelope this answer is bound to',
      schema: { type: 'string' },
    },
  };
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: DIALECT,
    info: {
      title: service.title,
      version: service.version,
      description: `Örtöö service ${service.id}, version ${service.version}, called through the security server's client proxy.`,
    },
    servers: [{ url: `/r1/${service.providerId}` }],
    paths: {
      [`/${id.serviceCode}`]: {
        post: {
          operationId: id.serviceCode,
          summary: service.title,
          parameters: [
            headerParameter('X-Road-Client', 'The calling subsystem, INSTANCE/CLASS/CODE/SUBSYSTEM', true),
            headerParameter('X-Road-Id', 'Message id; a UUID is made when absent'),
            headerParameter('X-Road-UserId', 'The end user on whose behalf the call is made'),
            headerParameter('X-Road-Issue', 'The case or purpose of the call'),
            headerParameter(
              'X-Ortoo-Service-Version',
              'Service version; the current one when absent',
              false,
              {
                type: 'string',
                examples: [service.version],
              },
            ),
            headerParameter(
              'Prefer',
              '`respond-async` answers 202 at once; the answer is then at /r1/messages/{id}',
            ),
          ],
          requestBody: {
            required: true,
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Request' } } },
          },
          responses: {
            '200': {
              description: "The provider's answer",
              headers: xRoadAnswerHeaders,
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Response' } } },
            },
            '202': {
              description: 'Accepted for asynchronous delivery (`Prefer: respond-async`)',
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    required: ['id', 'status', 'statusUrl'],
                    properties: {
                      id: { type: 'string' },
                      status: { const: 'queued' },
                      statusUrl: { type: 'string' },
                    },
                  },
                },
              },
            },
            default: {
              description: 'An error of the exchange (X-Road-Error is set) or an answer of the backend',
              headers: { 'X-Road-Error': { description: 'X-Road fault type', schema: { type: 'string' } } },
              content: { 'application/json': { schema: { $ref: '#/components/schemas/XRoadError' } } },
            },
          },
        },
      },
    },
    components: {
      schemas: {
        Request: embedded(source.requestSchema, service.requestSchemaHash),
        Response: embedded(source.responseSchema, service.responseSchemaHash),
        XRoadError: {
          type: 'object',
          required: ['type', 'message'],
          properties: { type: { type: 'string' }, message: { type: 'string' }, detail: {} },
        },
      },
    },
  };
}

/**
 * The OpenAPI document a service was published with, as `getOpenAPI`
 * answers it: unchanged but for its `servers`, which X-Road replaces with
 * the client proxy's URL of the service (`/r1/<service id>`, relative to the
 * client proxy the description was fetched from), since local systems call
 * the service there and never at the provider's own address.
 */
export function registeredOpenApi(
  document: Readonly<Record<string, unknown>>,
  service: GlobalConfService,
): Record<string, unknown> {
  return {
    ...document,
    servers: [{ url: `/r1/${service.id}`, description: `${service.title} through this security server` }],
  };
}
