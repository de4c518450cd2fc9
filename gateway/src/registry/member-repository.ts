import {
  OrtooError,
  formatMemberId,
  sqlStateOf,
  type MemberId,
  type RegistryStatus,
  type SqlExecutor,
} from '../../../core/src';

/** A member organisation of the instance, e.g. a ministry or an agency. */
export interface Member {
  readonly id: string;
  readonly instance: string;
  readonly memberClass: string;
  readonly memberCode: string;
  /** Legal name, in any script. */
  readonly name: string;
  readonly status: RegistryStatus;
  readonly revokedAt?: Date;
  readonly revocationReason?: string;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** What still refers to a member and keeps it from being deleted, by kind. */
export interface MemberDependents {
  readonly subsystems: number;
  readonly securityServers: number;
  readonly certificates: number;
  readonly registrationTokens: number;
  readonly registrationRequests: number;
}

interface MemberRow {
  id: string;
  instance: string;
  member_class: string;
  member_code: string;
  name: string;
  status: RegistryStatus;
  revoked_at: Date | null;
  revocation_reason: string | null;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS =
  'id, instance, member_class, member_code, name, status, revoked_at, revocation_reason, created_at, updated_at';

function toMember(row: MemberRow): Member {
  return {
    id: row.id,
    instance: row.instance,
    memberClass: row.member_class,
    memberCode: row.member_code,
    name: row.name,
    status: row.status,
    revokedAt: row.revoked_at ?? undefined,
    revocationReason: row.revocation_reason ?? undefined,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/**
 * Adds a member; returns it, or undefined when a member with that id already
 * exists (the caller decides whether that is a repeat or a conflict). Never
 * fails on the duplicate, so it is safe inside a transaction that goes on.
 */
export async function insertMember(
  db: SqlExecutor,
  member: { id: MemberId; name: string },
): Promise<Member | undefined> {
  const { id, name } = member;
  const [row] = await db.query<MemberRow>(
    `INSERT INTO members (id, instance, member_class, member_code, name) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (id) DO NOTHING RETURNING ${COLUMNS}`,
    [formatMemberId(id), id.instance, id.memberClass, id.memberCode, name],
  );
  return row === undefined ? undefined : toMember(row);
}

/**
 * The member with that id, or undefined. With `lock: 'share'` (inside a
 * transaction) the row cannot be revoked or deleted until the transaction
 * ends: for adding something under the member.
 */
export async function findMember(
  db: SqlExecutor,
  id: string,
  options: { lock?: 'share' } = {},
): Promise<Member | undefined> {
  const lock = options.lock === 'share' ? ' FOR SHARE' : '';
  const [row] = await db.query<MemberRow>(`SELECT ${COLUMNS} FROM members WHERE id = $1${lock}`, [id]);
  return row === undefined ? undefined : toMember(row);
}

/** Up to `count` members ordered by id, starting after `after` (a keyset page). */
export async function listMembers(
  db: SqlExecutor,
  after: string | undefined,
  count: number,
): Promise<Member[]> {
  const rows = await db.query<MemberRow>(
    `SELECT ${COLUMNS} FROM members WHERE ($1::text IS NULL OR id > $1) ORDER BY id LIMIT $2`,
    [after ?? null, count],
  );
  return rows.map(toMember);
}

/** Sets a member's name; returns the updated member, or undefined when there is none. */
export async function renameMember(db: SqlExecutor, id: string, name: string): Promise<Member | undefined> {
  const [row] = await db.query<MemberRow>(
    `UPDATE members SET name = $2, updated_at = now() WHERE id = $1 RETURNING ${COLUMNS}`,
    [id, name],
  );
  return row === undefined ? undefined : toMember(row);
}

/** How many registry rows of each kind still refer to the member. */
export async function memberDependents(db: SqlExecutor, id: string): Promise<MemberDependents> {
  const [row] = await db.query<MemberDependents>(
    `SELECT (SELECT count(*)::int FROM subsystems WHERE member_id = $1) AS "subsystems",
            (SELECT count(*)::int FROM security_servers WHERE owner_id = $1) AS "securityServers",
            (SELECT count(*)::int FROM certificates WHERE member_id = $1) AS "certificates",
            (SELECT count(*)::int FROM registration_tokens WHERE owner_id = $1) AS "registrationTokens",
            (SELECT count(*)::int FROM registration_requests WHERE owner_id = $1) AS "registrationRequests"`,
    [id],
  );
  return (
    row ?? {
      subsystems: 0,
      securityServers: 0,
      certificates: 0,
      registrationTokens: 0,
      registrationRequests: 0,
    }
  );
}

/**
 * Deletes a member; returns false when there was none.
 *
 * @throws OrtooError `Conflict` when something added since the caller's
 *   check still refers to it (the database's foreign keys have the last word).
 */
export async function deleteMember(db: SqlExecutor, id: string): Promise<boolean> {
  try {
    const rows = await db.query('DELETE FROM members WHERE id = $1 RETURNING id', [id]);
    return rows.length > 0;
  } catch (error) {
    if (sqlStateOf(error) !== '23503') throw error;
    throw new OrtooError('Conflict', `Member ${id} is still referred to by other registry entries`, {
      detail: { id },
      cause: error,
    });
  }
}
