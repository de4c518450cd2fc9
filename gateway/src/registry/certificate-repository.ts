import type { Certificate as X509, RegistryStatus, SqlExecutor } from '../../../core/src';
import type { PageRequest } from '../routes/pagination';

/** What a certificate is for: signing messages, or a security server's TLS. */
export type CertificateKind = 'sign' | 'auth';

/** A certificate the instance CA issued, as the registry keeps it. */
export interface IssuedCertificate {
  serial: string;
  kind: CertificateKind;
  memberId: string;
  securityServerId?: string;
  thumbprint: string;
  subject: string;
  notBefore: Date;
  notAfter: Date;
  status: RegistryStatus;
  revokedAt?: Date;
  revocationReason?: string;
  pem: string;
}

interface CertificateRow {
  serial: string;
  kind: CertificateKind;
  member_id: string;
  security_server_id: string | null;
  thumbprint: string;
  subject: string;
  not_before: Date;
  not_after: Date;
  status: RegistryStatus;
  revoked_at: Date | null;
  revocation_reason: string | null;
  pem: string;
}

const COLUMNS = `serial, kind, member_id, security_server_id, thumbprint, subject, not_before, not_after,
  status, revoked_at, revocation_reason, pem`;

function toCertificate(row: CertificateRow): IssuedCertificate {
  return {
    serial: row.serial,
    kind: row.kind,
    memberId: row.member_id,
    ...(row.security_server_id === null ? {} : { securityServerId: row.security_server_id }),
    thumbprint: row.thumbprint,
    subject: row.subject,
    notBefore: row.not_before,
    notAfter: row.not_after,
    status: row.status,
    ...(row.revoked_at === null ? {} : { revokedAt: row.revoked_at }),
    ...(row.revocation_reason === null ? {} : { revocationReason: row.revocation_reason }),
    pem: row.pem,
  };
}

/** Records a certificate the CA has just issued. */
export async function insertCertificate(
  tx: SqlExecutor,
  certificate: X509,
  owner: { kind: CertificateKind; memberId: string; securityServerId: string },
): Promise<IssuedCertificate> {
  const [row] = await tx.query<CertificateRow>(
    `INSERT INTO certificates (serial, kind, member_id, security_server_id, thumbprint, subject, pem, not_before, not_after)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${COLUMNS}`,
    [
      certificate.serialNumber,
      owner.kind,
      owner.memberId,
      owner.securityServerId,
      certificate.thumbprint,
      certificate.subject.commonName,
      certificate.pem,
      certificate.notBefore,
      certificate.notAfter,
    ],
  );
  if (row === undefined) throw new Error('INSERT … RETURNING gave no row');
  return toCertificate(row);
}

/** The certificate with that serial number, if the CA issued one. */
export async function findCertificate(
  db: SqlExecutor,
  serial: string,
): Promise<IssuedCertificate | undefined> {
  const [row] = await db.query<CertificateRow>(`SELECT ${COLUMNS} FROM certificates WHERE serial = $1`, [
    serial,
  ]);
  return row === undefined ? undefined : toCertificate(row);
}

/** Filters of {@link listCertificates}. */
export interface CertificateFilter {
  memberId?: string;
  securityServerId?: string;
  status?: RegistryStatus;
  kind?: CertificateKind;
}

/** A page of certificates ordered by serial number, with `limit + 1` rows to tell if there is more. */
export async function listCertificates(
  db: SqlExecutor,
  filter: CertificateFilter,
  page: PageRequest,
): Promise<IssuedCertificate[]> {
  const rows = await db.query<CertificateRow>(
    `SELECT ${COLUMNS} FROM certificates
     WHERE ($1::text IS NULL OR member_id = $1) AND ($2::text IS NULL OR security_server_id = $2)
       AND ($3::text IS NULL OR status = $3) AND ($4::text IS NULL OR kind = $4) AND ($5::text IS NULL OR serial > $5)
     ORDER BY serial LIMIT $6`,
    [
      filter.memberId ?? null,
      filter.securityServerId ?? null,
      filter.status ?? null,
      filter.kind ?? null,
      page.after ?? null,
      page.limit + 1,
    ],
  );
  return rows.map(toCertificate);
}

/** Which certificates a revocation covers. */
export type RevocationScope =
  { serial: string } | { securityServerId: string; kind?: CertificateKind } | { memberId: string };

/**
 * Revokes the active certificates in `scope` from `at` on, and returns their
 * serial numbers. Certificates already revoked keep their first revocation.
 */
export async function revokeCertificates(
  tx: SqlExecutor,
  scope: RevocationScope,
  revocation: { at: Date; reason: string },
): Promise<string[]> {
  const [column, value] =
    'serial' in scope
      ? ['serial', scope.serial]
      : 'memberId' in scope
        ? ['member_id', scope.memberId]
        : ['security_server_id', scope.securityServerId];
  const kind = 'securityServerId' in scope ? (scope.kind ?? null) : null;
  const rows = await tx.query<{ serial: string }>(
    `UPDATE certificates SET status = 'revoked', revoked_at = $1, revocation_reason = $2
     WHERE ${column} = $3 AND status = 'active' AND ($4::text IS NULL OR kind = $4) RETURNING serial`,
    [revocation.at, revocation.reason, value, kind],
  );
  return rows.map((row) => row.serial);
}
