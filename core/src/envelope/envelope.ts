import type { JsonValue } from './canonical-json';

/**
 * The envelopes of an exchange. An envelope is what gets signed: it names the
 * parties and the call and carries the body only by its digest, so the same
 * signature can be checked from an audit record that never stored the body.
 * The body travels beside it in a {@link SignedMessage}. The JSON Schema of
 * both kinds is `schemas/envelope.schema.json`.
 */

/** HTTP methods a service call may use. */
export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/** One of {@link HTTP_METHODS}. */
export type HttpMethod = (typeof HTTP_METHODS)[number];

/**
 * Version of the envelope format; bumped only for incompatible changes.
 * Carrying every end-to-end header rather than an allow-list kept version 1:
 * the fields and their meaning are unchanged and every envelope an older
 * server makes is still valid; an older server refuses a newer one's header
 * it did not allow with a typed `InvalidEnvelope` (fail closed, never
 * misread), so the gateway and providers are upgraded before consumers.
 */
export const ENVELOPE_VERSION = 1;

interface EnvelopeBase {
  /** Envelope format version, {@link ENVELOPE_VERSION}. */
  readonly v: typeof ENVELOPE_VERSION;
  /** Message id (X-Road-Id): the same in the request and in its answer. */
  readonly id: string;
  /** Consumer subsystem, e.g. `MN/GOV/9011311/e-services`. */
  readonly client: string;
  /** Service called, e.g. `MN/GOV/9011311/civil-registry/person`. */
  readonly service: string;
  /** End-to-end HTTP headers, names in lower case (see `exchange/forwarded-headers.ts`). */
  readonly headers: Readonly<Record<string, string>>;
  /** When the signer made it: RFC 3339 UTC with milliseconds. */
  readonly issuedAt: string;
  /** 128 random bits, base64url: no two envelopes are ever alike. */
  readonly nonce: string;
  /** Media type of the body; absent when there is none. */
  readonly contentType?: string;
  /** SHA-256 (base64url) of the body, see `digest.ts`; absent when there is none. */
  readonly bodyDigest?: string;
}

/** A consumer's call of a service, signed by the consumer's security server. */
export interface RequestEnvelope extends EnvelopeBase {
  readonly kind: 'request';
  /** Service version in the registry; the current one when absent. */
  readonly serviceVersion?: string;
  readonly method: HttpMethod;
  /** Path below the service, `''` or starting with `/`. */
  readonly path: string;
  /** Raw query string without `?`, kept as sent so nothing is reordered. */
  readonly query: string;
  /** End user on whose behalf the call is made (X-Road-UserId). */
  readonly userId?: string;
  /** Stated purpose or case number (X-Road-Issue). */
  readonly issue?: string;
  /**
   * The provider's security server the consumer asked for (X-Road-Security-Server,
   * PR-REST 4.3), `INSTANCE/CLASS/CODE/SERVER`; the gateway picks one when absent.
   */
  readonly securityServer?: string;
}

/** A provider's answer, signed by the provider's security server and bound to its request. */
export interface ResponseEnvelope extends EnvelopeBase {
  readonly kind: 'response';
  /** {@link envelopeHash} of the request envelope this answers. */
  readonly requestHash: string;
  /** HTTP status the provider's backend returned. */
  readonly status: number;
}

/** Either kind of envelope. */
export type Envelope = RequestEnvelope | ResponseEnvelope;

/**
 * A flattened JWS (RFC 7515 §7.2.2) with a detached payload (Appendix F): the
 * payload is the canonical envelope, which the message carries itself.
 */
export interface DetachedJws {
  readonly protected: string;
  readonly signature: string;
}

/**
 * What travels between servers: the envelope, its body, the signature.
 * A JSON body (see {@link isJsonContentType}) is carried as JSON; any other
 * body as base64 of its bytes.
 */
export interface SignedMessage<E extends Envelope = Envelope> {
  readonly envelope: E;
  readonly body?: JsonValue;
  readonly signature: DetachedJws;
}

const JSON_MEDIA_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/** True for `application/json` and `application/*+json` media types, with or without parameters. */
export function isJsonContentType(contentType: string): boolean {
  return JSON_MEDIA_TYPE.test(contentType);
}
