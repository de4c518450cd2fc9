import { randomBytes, randomUUID } from 'node:crypto';
import { envelopeHash } from './digest';
import { ENVELOPE_VERSION, type HttpMethod, type RequestEnvelope, type ResponseEnvelope } from './envelope';
import { type MessageBody, encodeBody } from './message-body';
import type { JsonValue } from './canonical-json';

/** What the caller decides about a request; the rest is filled in by {@link buildRequest}. */
export interface RequestParams {
  readonly client: string;
  readonly service: string;
  readonly serviceVersion?: string;
  readonly method: HttpMethod;
  /** @defaultValue `''` */
  readonly path?: string;
  /** @defaultValue `''` */
  readonly query?: string;
  /** @defaultValue `{}` */
  readonly headers?: Readonly<Record<string, string>>;
  readonly userId?: string;
  readonly issue?: string;
  /** The provider's security server to deliver to (X-Road-Security-Server); any of them when absent. */
  readonly securityServer?: string;
  /** Message id, e.g. the client's X-Road-Id. @defaultValue a random UUID */
  readonly id?: string;
  readonly body?: MessageBody;
}

/** What the provider decides about an answer. */
export interface ResponseParams {
  readonly status: number;
  /** @defaultValue `{}` */
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: MessageBody;
}

/** An envelope with the wire form of its body, ready to be signed. */
export interface UnsignedMessage<E> {
  readonly envelope: E;
  readonly body?: JsonValue;
}

/** Injected sources of time and randomness, so tests can fix them. */
export interface BuildOptions {
  /** @defaultValue the current time */
  readonly now?: Date;
}

/** Random bytes drawn in bulk: one `randomBytes` call per 256 nonces instead of one per message. */
const NONCE_BYTES = 16;
let noncePool = Buffer.alloc(0);
let nonceOffset = 0;

function nonce(): string {
  if (nonceOffset + NONCE_BYTES > noncePool.length) {
    noncePool = randomBytes(NONCE_BYTES * 256);
    nonceOffset = 0;
  }
  nonceOffset += NONCE_BYTES;
  return noncePool.toString('base64url', nonceOffset - NONCE_BYTES, nonceOffset);
}

/** Fields shared by both kinds: body digest and media type only when there is a body. */
function bodyFields(body: MessageBody | undefined): {
  fields: { contentType?: string; bodyDigest?: string };
  wire?: JsonValue;
} {
  if (body === undefined) return { fields: {} };
  const encoded = encodeBody(body);
  return { fields: { contentType: encoded.contentType, bodyDigest: encoded.bodyDigest }, wire: encoded.wire };
}

/** Builds a request envelope with a fresh nonce, `issuedAt` and (unless given) message id. */
export function buildRequest(
  params: RequestParams,
  options: BuildOptions = {},
): UnsignedMessage<RequestEnvelope> {
  const { fields, wire } = bodyFields(params.body);
  // Optional fields are left out rather than set to undefined, and the object is
  // built in one literal: it stays a fast object for canonicalising, per message.
  const envelope: RequestEnvelope = {
    v: ENVELOPE_VERSION,
    kind: 'request',
    id: params.id ?? randomUUID(),
    client: params.client,
    service: params.service,
    ...(params.serviceVersion === undefined ? {} : { serviceVersion: params.serviceVersion }),
    method: params.method,
    path: params.path ?? '',
    query: params.query ?? '',
    headers: params.headers ?? {},
    ...(params.userId === undefined ? {} : { userId: params.userId }),
    ...(params.issue === undefined ? {} : { issue: params.issue }),
    ...(params.securityServer === undefined ? {} : { securityServer: params.securityServer }),
    issuedAt: (options.now ?? new Date()).toISOString(),
    nonce: nonce(),
    ...fields,
  };
  return wire === undefined ? { envelope } : { envelope, body: wire };
}

/** Builds the answer to `request`, bound to it by the request's hash. */
export function buildResponse(
  request: RequestEnvelope,
  params: ResponseParams,
  options: BuildOptions = {},
): UnsignedMessage<ResponseEnvelope> {
  const { fields, wire } = bodyFields(params.body);
  const envelope: ResponseEnvelope = {
    v: ENVELOPE_VERSION,
    kind: 'response',
    id: request.id,
    client: request.client,
    service: request.service,
    requestHash: envelopeHash(request),
    status: params.status,
    headers: params.headers ?? {},
    issuedAt: (options.now ?? new Date()).toISOString(),
    nonce: nonce(),
    ...fields,
  };
  return wire === undefined ? { envelope } : { envelope, body: wire };
}
