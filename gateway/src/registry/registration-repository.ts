import { randomBytes, randomUUID } from 'node:crypto';
import { sha256, type SqlExecutor } from '../../../core/src';
import type { PageRequest } from '../routes/pagination';

/** Where a registration request stands. */
export type RegistrationStatus = 'pending' | 'approved' | 'rejected';

/** A security server's request to join, as submitted with a one-time token. */
export interface Registration {
  id: string;
  securityServerId: string;
  ownerId: string;
  address: string;
  status: RegistrationStatus;
  submittedAt: Date;
  decidedAt?: Date;
  decidedBy?: string;
  decisionReason?: string;
  signCertificateSerial?: string;
  authCertificateSerial?: string;
}

/** A registration with the CSRs it came with, for the approval. */
export interface RegistrationWithCsrs extends Registration {
  signCsr: string;
  authCsr: string;
}

interface RegistrationRow {
  id: string;
  security_server_id: string;
  owner_id: string;
  address: string;
  status: RegistrationStatus;
  submitted_at: Date;
  decided_at: Date | null;
  decided_by: string | null;
  decision_reason: string | null;
  sign_certificate_serial: string | null;
  auth_certificate_serial: string | null;
  sign_csr: string;
  auth_csr: string;
}

function toRegistration(row: RegistrationRow): Registration {
  return {
    id: row.id,
    securityServerId: row.security_server_id,
    ownerId: row.owner_id,
    address: row.address,
    status: row.status,
    submittedAt: row.submitted_at,
    ...(row.decided_at === null ? {} : { decidedAt: row.decided_at }),
    ...(row.decided_by === null ? {} : { decidedBy: row.decided_by }),
    ...(row.decision_reason === null ? {} : { decisionReason: row.decision_reason }),
    ...(row.sign_certificate_serial === null ? {} : { signCertificateSerial: row.sign_certificate_serial }),
    ...(row.auth_certificate_serial === null ? {} : { authCertificateSerial: row.auth_certificate_serial }),
  };
}

/** Prefix that tells a registration token from an API token at a glance. */
const TOKEN_PREFIX = 'ortoo_reg_';

/**
 * Issues a one-time registration token for one security server. The token is
 * returned once and stored only as its SHA-256.
 */
export async function createRegistrationToken(
  tx: SqlExecutor,
  params: { securityServerId: string; ownerId: string; createdBy: string; expiresAt: Date },
): Promise<{ id: string; token: string }> {
  const id = randomUUID();
  const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  await tx.query(
    `INSERT INTO registration_tokens (id, token_hash, security_server_id, owner_id, created_by, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6)`,
    [id, sha256(token), params.securityServerId, params.ownerId, params.createdBy, params.expiresAt],
  );
  return { id, token };
}

/**
 * Uses up a registration token for `securityServerId`: returns the token's id,
 * or undefined when the token is unknown, used, expired or meant for another
 * server. The single UPDATE makes the use atomic, so two submissions racing
 * with one token cannot both win.
 */
export async function consumeRegistrationToken(
  tx: SqlExecutor,
  token: string,
  securityServerId: string,
  now: Date,
): Promise<string | undefined> {
  const [row] = await tx.query<{ id: string }>(
    `UPDATE registration_tokens SET used_at = $1
     WHERE token_hash = $2 AND security_server_id = $3 AND used_at IS NULL AND expires_at > $1 RETURNING id`,
    [now, sha256(token), securityServerId],
  );
  return row?.id;
}

const COLUMNS = `id, security_server_id, owner_id, address, status, submitted_at, decided_at, decided_by,
  decision_reason, sign_certificate_serial, auth_certificate_serial, sign_csr, auth_csr`;

/** Records a submitted registration as pending. */
export async function insertRegistration(
  tx: SqlExecutor,
  params: {
    tokenId: string;
    securityServerId: string;
    ownerId: string;
    address: string;
    signCsr: string;
    authCsr: string;
    submittedAt: Date;
  },
): Promise<Registration> {
  const [row] = await tx.query<RegistrationRow>(
    `INSERT INTO registration_requests (id, token_id, security_server_id, owner_id, address, sign_csr, auth_csr, submitted_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${COLUMNS}`,
    [
      randomUUID(),
      params.tokenId,
      params.securityServerId,
      params.ownerId,
      params.address,
      params.signCsr,
      params.authCsr,
      params.submittedAt,
    ],
  );
  if (row === undefined) throw new Error('INSERT … RETURNING gave no row');
  return toRegistration(row);
}

/** The registration with that id, CSRs included. */
export async function findRegistration(
  db: SqlExecutor,
  id: string,
): Promise<RegistrationWithCsrs | undefined> {
  const [row] = await db.query<RegistrationRow>(
    `SELECT ${COLUMNS} FROM registration_requests WHERE id = $1`,
    [id],
  );
  return row === undefined
    ? undefined
    : { ...toRegistration(row), signCsr: row.sign_csr, authCsr: row.auth_csr };
}

/** A page of registrations, oldest first, optionally of one status. */
export async function listRegistrations(
  db: SqlExecutor,
  status: RegistrationStatus | undefined,
  page: PageRequest,
): Promise<Registration[]> {
  const rows = await db.query<RegistrationRow>(
    `SELECT ${COLUMNS} FROM registration_requests
     WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR id > $2)
     ORDER BY id LIMIT $3`,
    [status ?? null, page.after ?? null, page.limit + 1],
  );
  return rows.map(toRegistration);
}

/**
 * Records the decision on a pending registration. Returns undefined when it
 * was no longer pending (someone decided first).
 */
export async function decideRegistration(
  tx: SqlExecutor,
  id: string,
  decision: {
    status: 'approved' | 'rejected';
    at: Date;
    by: string;
    reason?: string;
    signCertificateSerial?: string;
    authCertificateSerial?: string;
  },
): Promise<Registration | undefined> {
  const [row] = await tx.query<RegistrationRow>(
    `UPDATE registration_requests
     SET status = $2, decided_at = $3, decided_by = $4, decision_reason = $5,
         sign_certificate_serial = $6, auth_certificate_serial = $7
     WHERE id = $1 AND status = 'pending' RETURNING ${COLUMNS}`,
    [
      id,
      decision.status,
      decision.at,
      decision.by,
      decision.reason ?? null,
      decision.signCertificateSerial ?? null,
      decision.authCertificateSerial ?? null,
    ],
  );
  return row === undefined ? undefined : toRegistration(row);
}
