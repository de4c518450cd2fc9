import type { ServiceEndpoint } from '../openapi/service-api';

/**
 * The global configuration: what every security server of an instance must
 * know about the others, published by the gateway and signed by its
 * configuration-signing key. Its JSON Schema is `schemas/global-conf.schema.json`.
 *
 * On the wire it is a standard flattened JWS (RFC 7515 §7.2.2) with its
 * payload, {@link SignedGlobalConf}: the payload is base64url of the UTF-8 of
 * the RFC 8785 canonical form of the document, so any JOSE library can check
 * it with the configuration-signing certificate.
 */

import type { EndpointRule } from '../exchange/endpoint-pattern';

/** Version of the document format; changed only for incompatible changes. */
export const GLOBAL_CONF_FORMAT = 'ortoo-global-conf/1';

/** Whether a member or a security server may take part. */
export type RegistryStatus = 'active' | 'revoked';

/** A member agency. */
export interface GlobalConfMember {
  /** `INSTANCE/CLASS/CODE`. */
  readonly id: string;
  readonly name: string;
  readonly status: RegistryStatus;
}

/** A subsystem of a member: a client, a provider, or both. */
export interface GlobalConfSubsystem {
  readonly id: string;
  readonly memberId: string;
}

/** A TLS certificate a security server presents. */
export interface GlobalConfAuthCertificate {
  /** `x5t#S256` of the certificate. */
  readonly thumbprint: string;
  /** Lower-case hex, as `normalizeSerialNumber` writes it. */
  readonly serial: string;
  readonly pem: string;
}

/** A security server and the TLS certificates it may present. */
export interface GlobalConfSecurityServer {
  /** Member id + `/SERVER`. */
  readonly id: string;
  readonly ownerId: string;
  /** Base URL of its provider proxy. */
  readonly address: string;
  readonly status: RegistryStatus;
  /** Active certificates only; a revoked server has none. */
  readonly authCertificates: readonly GlobalConfAuthCertificate[];
}

/** An active signing certificate: security servers check each other's signatures with these. */
export interface GlobalConfSignCertificate {
  readonly memberId: string;
  readonly securityServerId?: string;
  readonly thumbprint: string;
  readonly serial: string;
  /** ISO timestamps. */
  readonly notBefore: string;
  readonly notAfter: string;
  readonly pem: string;
}

/** One version of a service; the schemas themselves are fetched by hash, not carried here. */
export interface GlobalConfService {
  /** Subsystem id + `/SERVICE`. */
  readonly id: string;
  readonly version: string;
  readonly providerId: string;
  readonly title: string;
  /** SHA-256 of the canonical request schema, base64url. */
  readonly requestSchemaHash: string;
  readonly responseSchemaHash: string;
  readonly timeoutMs: number;
  readonly retryPolicy: { readonly maxAttempts: number; readonly backoffMs: number };
  /**
   * Present (true) when every method may be called again with the same
   * message (the backend takes `X-Road-Id` as an idempotency key); absent,
   * a POST or PATCH is never called twice.
   */
  readonly idempotent?: true;
  /**
   * Where the data subject's id is in a request: a JSON pointer into the
   * body, `path:NAME` (a path parameter of the matched endpoint) or
   * `query:NAME` (a query parameter).
   */
  readonly dataSubjectPointer?: string;
  /**
   * SHA-256 of the canonical JSON of the service's OpenAPI document, base64url:
   * fetched by hash like the schemas. Absent for a single-schema service.
   */
  readonly openapiHash?: string;
  /** The endpoints of its OpenAPI document (method + path template), in document order. */
  readonly endpoints?: readonly ServiceEndpoint[];
  /** Media types besides JSON the service takes as bytes (lower case, without parameters). @defaultValue none */
  readonly requestMediaTypes?: readonly string[];
  readonly enabled: boolean;
}

/**
 * A right to call every version of a service, held by a subsystem or by a
 * global group: to every endpoint of it, or, with `endpoint`, to the calls
 * that endpoint covers (see `exchange/endpoint-pattern.ts`).
 */
export type GlobalConfAccessRight = (
  | { readonly serviceId: string; readonly clientId: string }
  | { readonly serviceId: string; readonly groupId: string }
) & { readonly endpoint?: EndpointRule };

/** A global group and the subsystems in it. */
export interface GlobalConfGroup {
  /** `INSTANCE/GROUP`. */
  readonly id: string;
  readonly members: readonly string[];
}

/** A certificate that must no longer be trusted. */
export interface GlobalConfRevocation {
  readonly serial: string;
  /** `x5t#S256` of the certificate, so a signature naming it is refused as revoked, not unknown. */
  readonly thumbprint: string;
  /** ISO timestamp. */
  readonly revokedAt: string;
  readonly reason: string;
}

/** The global configuration document, as signed. */
export interface GlobalConf {
  readonly format: typeof GLOBAL_CONF_FORMAT;
  /** Instance code, e.g. `MN`. */
  readonly instance: string;
  /** The registry version it was built from: grows with every change. */
  readonly version: number;
  /** ISO timestamps: when it was signed and until when it may be used. */
  readonly generatedAt: string;
  readonly expiresAt: string;
  /** PEM of the instance CA certificates that issue members' certificates. */
  readonly caCertificates: readonly string[];
  /** TLS certificates the gateway presents: the only client a provider proxy lets deliver. */
  readonly gatewayCertificates: readonly GlobalConfAuthCertificate[];
  readonly members: readonly GlobalConfMember[];
  readonly subsystems: readonly GlobalConfSubsystem[];
  readonly securityServers: readonly GlobalConfSecurityServer[];
  readonly signCertificates: readonly GlobalConfSignCertificate[];
  readonly services: readonly GlobalConfService[];
  readonly accessRights: readonly GlobalConfAccessRight[];
  readonly groups: readonly GlobalConfGroup[];
  /**
   * Revoked certificates: revoked themselves, or belonging to a revoked member
   * or server (which appear with status `revoked`).
   */
  readonly revokedCertificates: readonly GlobalConfRevocation[];
  /**
   * The gateway's audit log as a transparency log: the origin of its
   * checkpoints and the verifier key (C2SP vkey) of the Ed25519 key that
   * signs them, which every security server checks before it cosigns.
   */
  readonly auditLog?: GlobalConfAuditLog;
}

/** See {@link GlobalConf.auditLog}. */
export interface GlobalConfAuditLog {
  readonly origin: string;
  /** `name+keyid+base64(0x01 || key)`. */
  readonly verifierKey: string;
}

/** The wire form: a flattened JWS JSON serialisation that carries its payload. */
export interface SignedGlobalConf {
  /** base64url of the UTF-8 of the canonical JSON of a {@link GlobalConf}. */
  readonly payload: string;
  readonly protected: string;
  readonly signature: string;
}

/** Media type of {@link SignedGlobalConf} (RFC 7515 §9.2). */
export const GLOBAL_CONF_MEDIA_TYPE = 'application/jose+json';
