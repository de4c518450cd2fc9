import type { EndpointMethod, RegistryStatus, ServiceEndpoint, SqlStore } from '../../../core/src';

/**
 * The rows of the registry the global configuration is built from, read in
 * one transaction so they are one consistent picture, and in a handful of
 * set-based SELECTs whatever the registry's size.
 */
export interface RegistrySnapshot {
  /** `registry_state.version` as of the snapshot. */
  readonly version: number;
  readonly members: readonly MemberRow[];
  readonly subsystems: readonly SubsystemRow[];
  readonly securityServers: readonly SecurityServerRow[];
  readonly certificates: readonly CertificateRow[];
  readonly services: readonly ServiceRow[];
  readonly accessRights: readonly AccessRightRow[];
  readonly groups: readonly GroupRow[];
}

/** A member as the configuration needs it. */
export interface MemberRow {
  readonly id: string;
  readonly name: string;
  readonly status: RegistryStatus;
  readonly revokedAt: Date | null;
  readonly revocationReason: string | null;
}

/** A subsystem and its member. */
export interface SubsystemRow {
  readonly id: string;
  readonly memberId: string;
}

/** A security server, revoked or not. */
export interface SecurityServerRow {
  readonly id: string;
  readonly ownerId: string;
  readonly address: string;
  readonly status: RegistryStatus;
  readonly revokedAt: Date | null;
  readonly revocationReason: string | null;
}

/** A certificate the instance CA issued, with its registry status. */
export interface CertificateRow {
  readonly serial: string;
  readonly kind: 'sign' | 'auth';
  readonly memberId: string;
  readonly securityServerId: string | null;
  readonly thumbprint: string;
  readonly pem: string;
  readonly status: RegistryStatus;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly revokedAt: Date | null;
  readonly revocationReason: string | null;
}

/** One version of a service, without its schemas. */
export interface ServiceRow {
  readonly serviceId: string;
  readonly version: string;
  readonly providerId: string;
  readonly title: string;
  readonly requestSchemaHash: string;
  readonly responseSchemaHash: string;
  readonly timeoutMs: number;
  readonly maxAttempts: number;
  readonly backoffMs: number;
  readonly idempotent: boolean;
  readonly dataSubjectPointer: string | null;
  readonly requestMediaTypes: readonly string[];
  readonly openapiHash: string | null;
  readonly endpoints: readonly ServiceEndpoint[] | null;
  readonly enabled: boolean;
}

/** An access right, held by a client subsystem or by a group, to the whole service or to one endpoint. */
export interface AccessRightRow {
  readonly serviceId: string;
  readonly clientId: string | null;
  readonly groupId: string | null;
  readonly endpointMethod: EndpointMethod | null;
  readonly endpointPath: string | null;
}

/** A global group and its member subsystems, ordered. */
export interface GroupRow {
  readonly id: string;
  readonly members: readonly string[];
}

/**
 * Reads the snapshot: eight SELECTs in one repeatable-read, read-only
 * transaction (PGlite has one connection, so it is consistent there anyway).
 * Rows come ordered by key, so the same registry gives the same document.
 * The service schemas themselves are not read: the document carries their hashes.
 */
export async function loadRegistrySnapshot(store: SqlStore): Promise<RegistrySnapshot> {
  return store.transaction(async (tx) => {
    await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    const [state] = await tx.query<{ version: number }>('SELECT version FROM registry_state');
    const members = await tx.query<MemberRow>(
      `SELECT id, name, status, revoked_at AS "revokedAt", revocation_reason AS "revocationReason"
         FROM members ORDER BY id`,
    );
    const subsystems = await tx.query<SubsystemRow>(
      'SELECT id, member_id AS "memberId" FROM subsystems ORDER BY id',
    );
    const securityServers = await tx.query<SecurityServerRow>(
      `SELECT id, owner_id AS "ownerId", address, status, revoked_at AS "revokedAt",
              revocation_reason AS "revocationReason"
         FROM security_servers ORDER BY id`,
    );
    const certificates = await tx.query<CertificateRow>(
      `SELECT serial, kind, member_id AS "memberId", security_server_id AS "securityServerId",
              thumbprint, pem, status, not_before AS "notBefore", not_after AS "notAfter",
              revoked_at AS "revokedAt", revocation_reason AS "revocationReason"
         FROM certificates ORDER BY serial`,
    );
    const services = await tx.query<ServiceRow>(
      `SELECT service_id AS "serviceId", version, provider_id AS "providerId", title,
              request_schema_hash AS "requestSchemaHash", response_schema_hash AS "responseSchemaHash",
              timeout_ms AS "timeoutMs", max_attempts AS "maxAttempts", backoff_ms AS "backoffMs",
              idempotent, data_subject_pointer AS "dataSubjectPointer", request_media_types AS "requestMediaTypes",
              openapi_hash AS "openapiHash", endpoints, enabled
         FROM services ORDER BY service_id, version`,
    );
    const accessRights = await tx.query<AccessRightRow>(
      `SELECT service_id AS "serviceId", client_id AS "clientId", group_id AS "groupId",
              endpoint_method AS "endpointMethod", endpoint_path AS "endpointPath"
         FROM access_rights
        ORDER BY service_id, client_id NULLS LAST, group_id, endpoint_method NULLS FIRST, endpoint_path NULLS FIRST`,
    );
    const groups = await tx.query<GroupRow>(
      `SELECT g.id,
              coalesce(array_agg(m.subsystem_id ORDER BY m.subsystem_id)
                         FILTER (WHERE m.subsystem_id IS NOT NULL), '{}') AS members
         FROM global_groups g LEFT JOIN global_group_members m ON m.group_id = g.id
        GROUP BY g.id ORDER BY g.id`,
    );
    return {
      version: state?.version ?? 0,
      members,
      subsystems,
      securityServers,
      certificates,
      services,
      accessRights,
      groups,
    };
  });
}
