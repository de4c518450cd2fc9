import {
  OrtooError,
  formatMemberId,
  formatSubsystemId,
  sqlStateOf,
  type SqlExecutor,
  type SubsystemId,
} from '../../../core/src';

/** A member's subsystem: the party that calls services, or provides them. */
export interface Subsystem {
  readonly id: string;
  readonly memberId: string;
  readonly subsystemCode: string;
  /** Human-readable name; empty when none was given. */
  readonly name: string;
  readonly createdAt: Date;
}

interface SubsystemRow {
  id: string;
  member_id: string;
  subsystem_code: string;
  name: string;
  created_at: Date;
}

const COLUMNS = 'id, member_id, subsystem_code, name, created_at';

function toSubsystem(row: SubsystemRow): Subsystem {
  return {
    id: row.id,
    memberId: row.member_id,
    subsystemCode: row.subsystem_code,
    name: row.name,
    createdAt: row.created_at,
  };
}

/**
 * Adds a subsystem; returns it, or undefined when one with that id already
 * exists. The caller checks that the member exists and is active first.
 *
 * @throws OrtooError `NotFound` when the member is gone after all.
 */
export async function insertSubsystem(
  db: SqlExecutor,
  subsystem: { id: SubsystemId; name: string },
): Promise<Subsystem | undefined> {
  const { id, name } = subsystem;
  try {
    const [row] = await db.query<SubsystemRow>(
      `INSERT INTO subsystems (id, member_id, subsystem_code, name) VALUES ($1, $2, $3, $4)
       ON CONFLICT (id) DO NOTHING RETURNING ${COLUMNS}`,
      [formatSubsystemId(id), formatMemberId(id), id.subsystemCode, name],
    );
    return row === undefined ? undefined : toSubsystem(row);
  } catch (error) {
    if (sqlStateOf(error) !== '23503') throw error;
    throw new OrtooError('NotFound', `No member ${formatMemberId(id)}`, { cause: error });
  }
}

/** The subsystem with that id, or undefined. */
export async function findSubsystem(db: SqlExecutor, id: string): Promise<Subsystem | undefined> {
  const [row] = await db.query<SubsystemRow>(`SELECT ${COLUMNS} FROM subsystems WHERE id = $1`, [id]);
  return row === undefined ? undefined : toSubsystem(row);
}

/** Up to `count` subsystems ordered by id, after `after`, optionally of one member only. */
export async function listSubsystems(
  db: SqlExecutor,
  filter: { memberId?: string },
  after: string | undefined,
  count: number,
): Promise<Subsystem[]> {
  const rows = await db.query<SubsystemRow>(
    `SELECT ${COLUMNS} FROM subsystems
     WHERE ($1::text IS NULL OR member_id = $1) AND ($2::text IS NULL OR id > $2)
     ORDER BY id LIMIT $3`,
    [filter.memberId ?? null, after ?? null, count],
  );
  return rows.map(toSubsystem);
}

/** Ids of the services (any version) the subsystem provides, in order. */
export async function servicesProvidedBy(db: SqlExecutor, id: string): Promise<string[]> {
  const rows = await db.query<{ service_id: string }>(
    'SELECT DISTINCT service_id FROM services WHERE provider_id = $1 ORDER BY service_id',
    [id],
  );
  return rows.map((row) => row.service_id);
}

/**
 * Deletes a subsystem, and with it its access rights and group memberships
 * (the schema cascades those); returns false when there was none.
 *
 * @throws OrtooError `Conflict` when a service added since the caller's check refers to it.
 */
export async function deleteSubsystem(db: SqlExecutor, id: string): Promise<boolean> {
  try {
    const rows = await db.query('DELETE FROM subsystems WHERE id = $1 RETURNING id', [id]);
    return rows.length > 0;
  } catch (error) {
    if (sqlStateOf(error) !== '23503') throw error;
    throw new OrtooError('Conflict', `Subsystem ${id} still provides services`, {
      detail: { id },
      cause: error,
    });
  }
}
