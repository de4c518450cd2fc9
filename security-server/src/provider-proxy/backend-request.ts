import {
  OrtooError,
  isJsonContentType,
  xRoadRequestHash,
  type HttpMethod,
  type RequestEnvelope,
  type SignedMessage,
} from '../../../core/src';
import type { BackendRoute } from './backend-route';
import { toHeaderValue } from './header-text';

/** An HTTP request to a provider's backend, ready to send. */
export interface BackendRequest {
  readonly url: URL;
  readonly method: HttpMethod;
  /** Names in lower case; values as Node sends them (see `header-text.ts`). */
  readonly headers: Readonly<Record<string, string>>;
  /** The body's bytes; absent when the request has none. */
  readonly body?: Buffer;
}

/**
 * `<backendUrl><path>[?<query>]`. The path is appended to the base as text,
 * never resolved against it, so the backend's base path is kept; the
 * envelope schema already refuses `.` and `..` segments, and the check below
 * makes sure nothing climbs out of the base path all the same.
 *
 * @throws OrtooError `BadRequest` when the result is not below the base URL.
 */
export function backendUrl(base: string, path: string, query: string): URL {
  const root = base.endsWith('/') ? base.slice(0, -1) : base;
  const url = new URL(`${root}${path}${query === '' ? '' : `?${query}`}`);
  const rootPath = new URL(root).pathname.replace(/\/$/, '');
  const inside = rootPath === '' || url.pathname === rootPath || url.pathname.startsWith(`${rootPath}/`);
  if (!inside) {
    throw new OrtooError('BadRequest', 'Request path leaves the service', { detail: { path } });
  }
  return url;
}

/** The request's body as bytes: JSON serialised, any other media type decoded from base64. */
function bodyBytes(message: SignedMessage<RequestEnvelope>): Buffer | undefined {
  const { envelope, body } = message;
  if (envelope.contentType === undefined || body === undefined) return undefined;
  if (isJsonContentType(envelope.contentType)) return Buffer.from(JSON.stringify(body), 'utf8');
  // verifyMessage has checked it is base64 matching the signed digest.
  return Buffer.from(body as string, 'base64');
}

/**
 * The backend call for a consumer's verified request: its method, path and
 * query below the mapped backend URL, its end-to-end headers, its body as
 * bytes, and the X-Road headers that tell the backend who calls and why:
 * `X-Road-Client`, `X-Road-Service`, `X-Road-Id`, `X-Road-UserId`,
 * `X-Road-Issue`, `X-Road-Represented-Party` (when the consumer sent it),
 * plus `X-Road-Request-Hash` (as the consumer will get it, see
 * `xRoadRequestHash`) and `X-Ortoo-Service-Version` (the version resolved from
 * the global configuration).
 *
 * @param version - the service version the request resolved to.
 */
export function buildBackendRequest(
  message: SignedMessage<RequestEnvelope>,
  route: Pick<BackendRoute, 'backendUrl'>,
  version: string,
): BackendRequest {
  const { envelope } = message;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(envelope.headers)) headers[name] = toHeaderValue(value);
  headers['x-road-client'] = envelope.client;
  headers['x-road-service'] = envelope.service;
  headers['x-road-id'] = envelope.id;
  headers['x-road-request-hash'] = xRoadRequestHash(message);
  headers['x-ortoo-service-version'] = version;
  if (envelope.userId !== undefined) headers['x-road-userid'] = toHeaderValue(envelope.userId);
  if (envelope.issue !== undefined) headers['x-road-issue'] = toHeaderValue(envelope.issue);
  const body = bodyBytes(message);
  if (body !== undefined && envelope.contentType !== undefined) {
    headers['content-type'] = envelope.contentType;
    headers['content-length'] = String(body.length);
  }
  const url = backendUrl(route.backendUrl, envelope.path, envelope.query);
  return body === undefined
    ? { url, method: envelope.method, headers }
    : { url, method: envelope.method, headers, body };
}
