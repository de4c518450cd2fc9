/**
 * The admin API's representations, as the CLI reads them (timestamps are ISO
 * strings on the wire). The OpenAPI description at `/v1/openapi.json` is the
 * reference; these name only what the CLI shows.
 */

/** A member organisation. */
export interface Member {
  id: string;
  instance: string;
  memberClass: string;
  memberCode: string;
  name: string;
  status: 'active' | 'revoked';
  revokedAt?: string;
  revocationReason?: string;
  createdAt: string;
  updatedAt: string;
}

/** A member's subsystem: a client or provider of services. */
export interface Subsystem {
  id: string;
  memberId: string;
  subsystemCode: string;
  name: string | null;
  createdAt: string;
}

/** A member's security server. */
export interface SecurityServer {
  id: string;
  ownerId: string;
  serverCode: string;
  address: string;
  status: string;
  revokedAt?: string;
  revocationReason?: string;
  authCertificate?: { serial: string; thumbprint: string; notAfter: string };
  createdAt: string;
  updatedAt: string;
}

/** A global group of subsystems, which access rights can name. */
export interface Group {
  id: string;
  instance: string;
  groupCode: string;
  description: string | null;
  members: string[];
  createdAt: string;
}

/** One version of a service. */
export interface Service {
  id: string;
  version: string;
  providerId: string;
  serviceCode: string;
  title: string;
  requestSchema: unknown;
  responseSchema: unknown;
  requestSchemaHash: string;
  responseSchemaHash: string;
  timeoutMs: number;
  retryPolicy: { maxAttempts: number; backoffMs: number };
  idempotent: boolean;
  dataSubjectPointer?: string;
  /** Media types besides JSON the service takes as bytes. */
  requestMediaTypes?: string[];
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
}

/** The right of a client subsystem, or of a group's members, to call a service. */
export interface AccessRight {
  id: string;
  serviceId: string;
  clientId?: string;
  groupId?: string;
  createdAt: string;
}

/** An API token as listed (never the token itself). */
export interface ApiToken {
  id: string;
  name: string;
  role: 'admin' | 'auditor';
  createdBy?: string | null;
  createdAt: string;
  revokedAt?: string | null;
}

/** A new API token: the token is shown this once. */
export interface CreatedApiToken {
  id: string;
  name: string;
  role: 'admin' | 'auditor';
  token: string;
}

/** A one-time token a security server registers with. */
export interface RegistrationToken {
  id: string;
  token: string;
  securityServerId: string;
  expiresAt: string;
}

/** A security server's request to be registered. */
export interface Registration {
  id: string;
  securityServerId: string;
  ownerId: string;
  address: string;
  status: 'pending' | 'approved' | 'rejected';
  submittedAt: string;
  decidedAt?: string;
  decidedBy?: string;
  decisionReason?: string;
  signCertificateSerial?: string;
  authCertificateSerial?: string;
}

/** A certificate the instance CA issued. */
export interface Certificate {
  serial: string;
  kind: 'sign' | 'auth';
  memberId: string;
  securityServerId?: string;
  thumbprint: string;
  subject: string;
  notBefore: string;
  notAfter: string;
  status: string;
  revokedAt?: string;
  revocationReason?: string;
  pem: string;
}
