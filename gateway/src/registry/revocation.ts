import { OrtooError, type SqlExecutor } from '../../../core/src';
import { findCertificate, revokeCertificates, type IssuedCertificate } from './certificate-repository';

/*
 * Revocation takes effect at once at the gateway: the registry row changes in
 * the caller's transaction, every check reads the registry, and the next
 * global configuration lists the revoked serials for the security servers.
 * Revoking twice is harmless: the first revocation's time and reason stay.
 */

/** Why and when. */
export interface RevocationParams {
  reason: string;
  at: Date;
}

/** What a revocation of a member or server did. */
export interface RevocationResult {
  id: string;
  status: 'revoked';
  revokedAt: Date;
  revocationReason: string;
  /** Serial numbers of the certificates this revocation revoked now. */
  revokedCertificates: string[];
}

interface RevokedRow {
  revoked_at: Date;
  revocation_reason: string;
}

/**
 * Marks the rows of `table` whose `column` equals `value` as revoked, keeping
 * the time and reason of an earlier revocation; returns the first row's.
 */
async function markRevoked(
  tx: SqlExecutor,
  table: 'members' | 'security_servers',
  column: 'id' | 'owner_id',
  value: string,
  params: RevocationParams,
): Promise<RevokedRow | undefined> {
  const [row] = await tx.query<RevokedRow>(
    `UPDATE ${table}
     SET status = 'revoked', revoked_at = coalesce(revoked_at, $2), revocation_reason = coalesce(revocation_reason, $3),
         updated_at = now()
     WHERE ${column} = $1 RETURNING revoked_at, revocation_reason`,
    [value, params.at, params.reason],
  );
  return row;
}

/** Revokes one certificate. @throws OrtooError `NotFound` */
export async function revokeCertificate(
  tx: SqlExecutor,
  serial: string,
  params: RevocationParams,
): Promise<IssuedCertificate> {
  await revokeCertificates(tx, { serial }, params);
  const certificate = await findCertificate(tx, serial);
  if (certificate === undefined) throw new OrtooError('NotFound', `No certificate with serial ${serial}`);
  return certificate;
}

/** Revokes a security server and every certificate issued to it. @throws OrtooError `NotFound` */
export async function revokeSecurityServer(
  tx: SqlExecutor,
  id: string,
  params: RevocationParams,
): Promise<RevocationResult> {
  const row = await markRevoked(tx, 'security_servers', 'id', id, params);
  if (row === undefined) throw new OrtooError('NotFound', `No security server ${id}`);
  const revokedCertificates = await revokeCertificates(tx, { securityServerId: id }, params);
  return {
    id,
    status: 'revoked',
    revokedAt: row.revoked_at,
    revocationReason: row.revocation_reason,
    revokedCertificates,
  };
}

/** Revokes a member, its security servers and every certificate issued to it. @throws OrtooError `NotFound` */
export async function revokeMember(
  tx: SqlExecutor,
  id: string,
  params: RevocationParams,
): Promise<RevocationResult> {
  const row = await markRevoked(tx, 'members', 'id', id, params);
  if (row === undefined) throw new OrtooError('NotFound', `No member ${id}`);
  await markRevoked(tx, 'security_servers', 'owner_id', id, {
    ...params,
    reason: `member revoked: ${params.reason}`,
  });
  const revokedCertificates = await revokeCertificates(tx, { memberId: id }, params);
  return {
    id,
    status: 'revoked',
    revokedAt: row.revoked_at,
    revocationReason: row.revocation_reason,
    revokedCertificates,
  };
}
