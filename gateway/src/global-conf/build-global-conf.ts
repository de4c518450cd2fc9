import {
  type GlobalConfAuditLog,
  GLOBAL_CONF_FORMAT,
  type GlobalConf,
  type GlobalConfAuthCertificate,
  type GlobalConfRevocation,
  type GlobalConfSignCertificate,
} from '../../../core/src';
import type { CertificateRow, RegistrySnapshot } from './load-registry-snapshot';

/** Parameters of {@link buildGlobalConf}. */
export interface BuildGlobalConfParams {
  /** Instance code, e.g. `MN`. */
  readonly instance: string;
  /** When the document is made: its `generatedAt`. */
  readonly now: Date;
  /** How long it stays valid after `now`. */
  readonly validitySeconds: number;
  /** PEM of the instance CA certificates. */
  readonly caCertificates: readonly string[];
  /** The gateway's own TLS certificates. */
  readonly gatewayCertificates: readonly GlobalConfAuthCertificate[];
  /** The audit log's origin and verifier key, for the witnesses. @defaultValue none */
  readonly auditLog?: GlobalConfAuditLog;
}

interface Revocation {
  readonly revokedAt: Date;
  readonly reason: string;
}

/** The earlier of two revocations: a certificate is revoked from the first reason that applies. */
function earliest(a: Revocation | undefined, b: Revocation | undefined): Revocation | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return b.revokedAt < a.revokedAt ? b : a;
}

/**
 * Builds the global configuration from a registry snapshot; pure, so the same
 * snapshot and parameters always give the same document.
 *
 * A certificate counts as revoked when it is revoked itself or when its member
 * or its security server is: it is then listed in `revokedCertificates` and
 * nowhere as active. Expired certificates are left out of the active lists
 * (no one may use them) but stay in `revokedCertificates` when revoked, so a
 * past signature can still be judged. A server of a revoked member is shown
 * as revoked too.
 */
export function buildGlobalConf(snapshot: RegistrySnapshot, params: BuildGlobalConfParams): GlobalConf {
  const { now } = params;
  const revokedMembers = new Map<string, Revocation>();
  for (const member of snapshot.members) {
    if (member.status === 'revoked') {
      revokedMembers.set(member.id, {
        // A revocation without a time is taken as from the start, the cautious reading.
        revokedAt: member.revokedAt ?? new Date(0),
        reason: `member revoked${member.revocationReason ? `: ${member.revocationReason}` : ''}`,
      });
    }
  }
  const revokedServers = new Map<string, Revocation>();
  for (const server of snapshot.securityServers) {
    const own: Revocation | undefined =
      server.status === 'revoked'
        ? {
            revokedAt: server.revokedAt ?? new Date(0),
            reason: `security server revoked${server.revocationReason ? `: ${server.revocationReason}` : ''}`,
          }
        : undefined;
    const revocation = earliest(own, revokedMembers.get(server.ownerId));
    if (revocation !== undefined) revokedServers.set(server.id, revocation);
  }

  const revocationOf = (certificate: CertificateRow): Revocation | undefined => {
    const own: Revocation | undefined =
      certificate.status === 'revoked'
        ? {
            revokedAt: certificate.revokedAt ?? certificate.notBefore,
            reason: certificate.revocationReason ?? 'revoked',
          }
        : undefined;
    const server =
      certificate.securityServerId === null ? undefined : revokedServers.get(certificate.securityServerId);
    return earliest(earliest(own, revokedMembers.get(certificate.memberId)), server);
  };

  const revokedCertificates: GlobalConfRevocation[] = [];
  const signCertificates: GlobalConfSignCertificate[] = [];
  const authByServer = new Map<string, GlobalConfAuthCertificate[]>();
  for (const certificate of snapshot.certificates) {
    const revocation = revocationOf(certificate);
    if (revocation !== undefined) {
      revokedCertificates.push({
        serial: certificate.serial,
        thumbprint: certificate.thumbprint,
        revokedAt: revocation.revokedAt.toISOString(),
        reason: revocation.reason,
      });
      continue;
    }
    if (certificate.notAfter <= now) continue;
    const { serial, thumbprint, pem } = certificate;
    if (certificate.kind === 'sign') {
      signCertificates.push({
        memberId: certificate.memberId,
        ...(certificate.securityServerId === null ? {} : { securityServerId: certificate.securityServerId }),
        thumbprint,
        serial,
        notBefore: certificate.notBefore.toISOString(),
        notAfter: certificate.notAfter.toISOString(),
        pem,
      });
    } else if (certificate.securityServerId !== null) {
      const list = authByServer.get(certificate.securityServerId) ?? [];
      list.push({ thumbprint, serial, pem });
      authByServer.set(certificate.securityServerId, list);
    }
  }

  return {
    format: GLOBAL_CONF_FORMAT,
    instance: params.instance,
    version: snapshot.version,
    generatedAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + params.validitySeconds * 1000).toISOString(),
    caCertificates: [...params.caCertificates],
    gatewayCertificates: [...params.gatewayCertificates],
    ...(params.auditLog === undefined ? {} : { auditLog: params.auditLog }),
    members: snapshot.members.map(({ id, name, status }) => ({ id, name, status })),
    subsystems: snapshot.subsystems.map(({ id, memberId }) => ({ id, memberId })),
    securityServers: snapshot.securityServers.map((server) => ({
      id: server.id,
      ownerId: server.ownerId,
      address: server.address,
      status: revokedServers.has(server.id) ? 'revoked' : 'active',
      authCertificates: authByServer.get(server.id) ?? [],
    })),
    signCertificates,
    services: snapshot.services.map((service) => ({
      id: service.serviceId,
      version: service.version,
      providerId: service.providerId,
      title: service.title,
      requestSchemaHash: service.requestSchemaHash,
      responseSchemaHash: service.responseSchemaHash,
      timeoutMs: service.timeoutMs,
      retryPolicy: { maxAttempts: service.maxAttempts, backoffMs: service.backoffMs },
      ...(service.idempotent ? { idempotent: true } : {}),
      ...(service.dataSubjectPointer === null ? {} : { dataSubjectPointer: service.dataSubjectPointer }),
      ...(service.requestMediaTypes.length === 0
        ? {}
        : { requestMediaTypes: [...service.requestMediaTypes] }),
      ...(service.openapiHash === null || service.endpoints === null
        ? {}
        : {
            openapiHash: service.openapiHash,
            endpoints: service.endpoints.map(({ method, path }) => ({ method, path })),
          }),
      enabled: service.enabled,
    })),
    accessRights: snapshot.accessRights.map((right) => {
      // The table's CHECKs make exactly one of client_id and group_id set, and the endpoint's parts both or neither.
      const endpoint =
        right.endpointMethod === null
          ? {}
          : { endpoint: { method: right.endpointMethod, path: right.endpointPath as string } };
      return right.clientId !== null
        ? { serviceId: right.serviceId, clientId: right.clientId, ...endpoint }
        : { serviceId: right.serviceId, groupId: right.groupId as string, ...endpoint };
    }),
    groups: snapshot.groups.map(({ id, members }) => ({ id, members: [...members] })),
    revokedCertificates,
  };
}
