import {
  OrtooError,
  formatMemberId,
  formatSecurityServerId,
  sqlStateOf,
  type RegistryStatus,
  type SecurityServerId,
  type SqlExecutor,
} from '../../../core/src';

/** The certificate a security server authenticates with (mutual TLS), as published. */
export interface AuthCertificateInfo {
  readonly serial: string;
  /** SHA-256 thumbprint (x5t#S256). */
  readonly thumbprint: string;
  readonly notAfter: Date;
}

/** A member's security server: where its subsystems' exchanges go in and out. */
export interface SecurityServer {
  readonly id: string;
  readonly ownerId: string;
  readonly serverCode: string;
  /** Absolute http(s) base URL of its provider proxy. */
  readonly address: string;
  readonly status: RegistryStatus;
  readonly revokedAt?: Date;
  readonly revocationReason?: string;
  /** Its active auth certificate, when one has been issued. */
  readonly authCertificate?: AuthCertificateInfo;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

interface SecurityServerRow {
  id: string;
  owner_id: string;
  server_code: string;
  address: string;
  status: RegistryStatus;
  revoked_at: Date | null;
  revocation_reason: string | null;
  created_at: Date;
  updated_at: Date;
  auth_serial: string | null;
  auth_thumbprint: string | null;
  auth_not_after: Date | null;
}

/**
 * Servers with their active auth certificate. Should a server ever hold two
 * (a renewal overlapping the old one), the one valid longest is shown.
 */
const SELECT = `
  SELECT s.id, s.owner_id, s.server_code, s.address, s.status, s.revoked_at, s.revocation_reason,
         s.created_at, s.updated_at,
         a.serial AS auth_serial, a.thumbprint AS auth_thumbprint, a.not_after AS auth_not_after
  FROM security_servers s
  LEFT JOIN LATERAL (
    SELECT c.serial, c.thumbprint, c.not_after FROM certificates c
    WHERE c.security_server_id = s.id AND c.kind = 'auth' AND c.status = 'active'
    ORDER BY c.not_after DESC, c.serial LIMIT 1
  ) a ON true`;

function toSecurityServer(row: SecurityServerRow): SecurityServer {
  return {
    id: row.id,
    ownerId: row.owner_id,
    serverCode: row.server_code,
    address: row.address,
    status: row.status,
    revokedAt: row.revoked_at ?? undefined,
    revocationReason: row.revocation_reason ?? undefined,
    authCertificate:
      row.auth_serial === null || row.auth_thumbprint === null || row.auth_not_after === null
        ? undefined
        : { serial: row.auth_serial, thumbprint: row.auth_thumbprint, notAfter: row.auth_not_after },
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The security server with that id, or undefined. */
export async function findSecurityServer(db: SqlExecutor, id: string): Promise<SecurityServer | undefined> {
  const [row] = await db.query<SecurityServerRow>(`${SELECT} WHERE s.id = $1`, [id]);
  return row === undefined ? undefined : toSecurityServer(row);
}

/**
 * Adds a security server; returns it, or undefined when one with that id
 * already exists. The caller checks that the owner exists and is active first.
 *
 * @throws OrtooError `NotFound` when the owner is gone after all.
 */
export async function insertSecurityServer(
  db: SqlExecutor,
  server: { id: SecurityServerId; address: string },
): Promise<SecurityServer | undefined> {
  const { id, address } = server;
  const text = formatSecurityServerId(id);
  let inserted: unknown[];
  try {
    inserted = await db.query(
      `INSERT INTO security_servers (id, owner_id, server_code, address) VALUES ($1, $2, $3, $4)
       ON CONFLICT (id) DO NOTHING RETURNING id`,
      [text, formatMemberId(id), id.serverCode, address],
    );
  } catch (error) {
    if (sqlStateOf(error) !== '23503') throw error;
    throw new OrtooError('NotFound', `No member ${formatMemberId(id)}`, { cause: error });
  }
  return inserted.length === 0 ? undefined : findSecurityServer(db, text);
}

/** Up to `count` security servers ordered by id, after `after`, optionally of one owner only. */
export async function listSecurityServers(
  db: SqlExecutor,
  filter: { ownerId?: string },
  after: string | undefined,
  count: number,
): Promise<SecurityServer[]> {
  const rows = await db.query<SecurityServerRow>(
    `${SELECT}
     WHERE ($1::text IS NULL OR s.owner_id = $1) AND ($2::text IS NULL OR s.id > $2)
     ORDER BY s.id LIMIT $3`,
    [filter.ownerId ?? null, after ?? null, count],
  );
  return rows.map(toSecurityServer);
}

/** Sets a server's address; returns the updated server, or undefined when there is none. */
export async function updateSecurityServerAddress(
  db: SqlExecutor,
  id: string,
  address: string,
): Promise<SecurityServer | undefined> {
  const rows = await db.query(
    'UPDATE security_servers SET address = $2, updated_at = now() WHERE id = $1 RETURNING id',
    [id, address],
  );
  return rows.length === 0 ? undefined : findSecurityServer(db, id);
}

/** How many certificates (of any kind and status) were issued to the server. */
export async function countServerCertificates(db: SqlExecutor, id: string): Promise<number> {
  const [row] = await db.query<{ count: number }>(
    'SELECT count(*)::int AS count FROM certificates WHERE security_server_id = $1',
    [id],
  );
  return row?.count ?? 0;
}

/**
 * Deletes a security server; returns false when there was none.
 *
 * @throws OrtooError `Conflict` when a certificate issued since the caller's check refers to it.
 */
export async function deleteSecurityServer(db: SqlExecutor, id: string): Promise<boolean> {
  try {
    const rows = await db.query('DELETE FROM security_servers WHERE id = $1 RETURNING id', [id]);
    return rows.length > 0;
  } catch (error) {
    if (sqlStateOf(error) !== '23503') throw error;
    throw new OrtooError('Conflict', `Security server ${id} still has certificates`, {
      detail: { id },
      cause: error,
    });
  }
}
