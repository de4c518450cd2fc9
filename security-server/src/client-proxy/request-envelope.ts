import type { IncomingHttpHeaders } from 'node:http';
import {
  HTTP_METHODS,
  OrtooError,
  formatSecurityServerId,
  formatSubsystemId,
  isJsonContentType,
  parseSecurityServerId,
  parseStrictJson,
  parseSubsystemId,
  pickForwardedHeaders,
  type HttpMethod,
  type JsonValue,
  type MessageBody,
  type RequestParams,
} from '../../../core/src';
import { credentialHeadersOf } from '../local-systems';
import { decodePart } from './proxy-route';

/** A service call as a local system made it, its URL already read (see `proxy-route.ts`). */
export interface ServiceRequest {
  readonly method: string;
  /** `INSTANCE/CLASS/CODE/SUBSYSTEM/SERVICE`. */
  readonly service: string;
  /** Path below the service as sent: `''` or starting with `/`. */
  readonly path: string;
  /** Raw query string without `?`. */
  readonly query: string;
  readonly headers: IncomingHttpHeaders;
  /** The body's bytes; undefined or empty when there is none. */
  readonly body: Buffer | undefined;
}

const METHODS: ReadonlySet<string> = new Set<HttpMethod>(HTTP_METHODS);

/** What the envelope schema allows as a message id (it is also a queue job id). */
const MESSAGE_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** Media type of a body sent without `Content-Type`: bytes the provider may make sense of. */
export const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  const text = Array.isArray(value) ? value.join(', ') : value;
  return text === undefined || text.trim() === '' ? undefined : text.trim();
}

/**
 * The last of several values of a header that names one identifier. Node
 * joins repeated fields with `, `; an identifier has no literal comma (a
 * part is `[A-Za-z0-9._-]`, a comma in it would be percent-encoded), so the
 * text after the last comma is the last field.
 */
function lastValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = header(headers, name);
  return value === undefined ? undefined : value.slice(value.lastIndexOf(',') + 1).trim() || undefined;
}

/**
 * The client subsystem of `X-Road-Client`, each part percent-decoded as
 * X-Road encodes them; of several `X-Road-Client` headers the last, as
 * PR-REST 4.3 says. X-Road also lets a member call without a subsystem;
 * Örtöö's clients are always subsystems.
 *
 * @throws OrtooError `BadRequest` when the header is missing, `InvalidIdentifier`
 *   when it is not `INSTANCE/CLASS/CODE/SUBSYSTEM`.
 */
export function clientOf(headers: IncomingHttpHeaders): string {
  const value = lastValue(headers, 'x-road-client');
  if (value === undefined) {
    throw new OrtooError('BadRequest', 'The X-Road-Client header is required', {
      detail: { header: 'X-Road-Client', expected: 'INSTANCE/CLASS/CODE/SUBSYSTEM' },
    });
  }
  return formatSubsystemId(parseSubsystemId(value.split('/').map(decodePart).join('/')));
}

/**
 * The body of a call: JSON media types parsed (they travel as JSON), any
 * other media type as its bytes (they travel as base64); a body without
 * `Content-Type` is `application/octet-stream`. An empty body is no body.
 *
 * @throws OrtooError `BadRequest` for a JSON media type whose body is not
 *   strict JSON (see `parseStrictJson`): no byte order mark, at most
 *   `maxDepth` deep, no U+0000 or lone surrogate in a string.
 */
export function messageBodyOf(
  contentType: string | undefined,
  bytes: Buffer | undefined,
  maxDepth?: number,
): MessageBody | undefined {
  if (bytes === undefined || bytes.length === 0) return undefined;
  const type = contentType ?? DEFAULT_CONTENT_TYPE;
  if (!isJsonContentType(type)) return { contentType: type, bytes };
  const json = parseStrictJson(bytes, maxDepth === undefined ? {} : { maxDepth }) as JsonValue;
  return { contentType: type, json };
}

/**
 * The security server of `X-Road-Security-Server` (PR-REST 4.3), to send the
 * request to that one of the provider's servers; undefined without the header.
 *
 * @throws OrtooError `InvalidIdentifier` when it is not `INSTANCE/CLASS/CODE/SERVER`.
 */
export function targetServerOf(headers: IncomingHttpHeaders): string | undefined {
  const value = lastValue(headers, 'x-road-security-server');
  return value === undefined
    ? undefined
    : formatSecurityServerId(parseSecurityServerId(value.split('/').map(decodePart).join('/')));
}

/**
 * What a local system's call puts in its request envelope: the client, the
 * service (and `X-Ortoo-Service-Version`), method, path and query as sent,
 * `X-Road-Id` (else a fresh UUID), `X-Road-UserId`, `X-Road-Issue`, `X-Road-Security-Server`, every
 * end-to-end header but the local system's credential (`withheld`, see
 * `pickForwardedHeaders`) and the body.
 *
 * @throws OrtooError `BadRequest` for a method outside the envelope's set, a
 *   malformed `X-Road-Id` or a broken JSON body, `HeadersTooLarge`.
 */
export function requestParamsOf(
  request: ServiceRequest,
  client: string,
  maxDepth?: number,
  withheld: ReadonlySet<string> = credentialHeadersOf(request.headers),
): RequestParams {
  const method = request.method.toUpperCase();
  if (!METHODS.has(method)) {
    throw new OrtooError('BadRequest', `Method ${request.method.slice(0, 20)} cannot be sent through Örtöö`, {
      detail: { allowed: [...METHODS] },
    });
  }
  const id = header(request.headers, 'x-road-id');
  if (id !== undefined && !MESSAGE_ID.test(id)) {
    throw new OrtooError('BadRequest', 'X-Road-Id must be 1-128 characters of A-Z a-z 0-9 . _ -', {
      detail: { header: 'X-Road-Id' },
    });
  }
  const serviceVersion = header(request.headers, 'x-ortoo-service-version');
  const userId = header(request.headers, 'x-road-userid');
  const issue = header(request.headers, 'x-road-issue');
  const securityServer = targetServerOf(request.headers);
  const body = messageBodyOf(header(request.headers, 'content-type'), request.body, maxDepth);
  return {
    client,
    service: request.service,
    method: method as HttpMethod,
    path: request.path,
    query: request.query,
    headers: pickForwardedHeaders('request', request.headers, withheld),
    ...(serviceVersion === undefined ? {} : { serviceVersion }),
    ...(userId === undefined ? {} : { userId }),
    ...(issue === undefined ? {} : { issue }),
    ...(securityServer === undefined ? {} : { securityServer }),
    ...(id === undefined ? {} : { id }),
    ...(body === undefined ? {} : { body }),
  };
}

/** The preferences of RFC 7240 `Prefer` headers, as lower-case tokens without values. */
export function preferencesOf(headers: IncomingHttpHeaders): Set<string> {
  const tokens = new Set<string>();
  for (const part of (header(headers, 'prefer') ?? '').split(',')) {
    const token = part.split(/[;=]/, 1)[0]?.trim().toLowerCase();
    if (token) tokens.add(token);
  }
  return tokens;
}
