import { OrtooError, isValidPart, sqlStateOf, type SqlExecutor } from '../../../core/src';

/** A global group's identifier, `INSTANCE/GROUPCODE`, e.g. `MN/health-agencies`. */
export interface GlobalGroupId {
  readonly instance: string;
  readonly groupCode: string;
}

/** A named set of subsystems that access rights can be granted to at once. */
export interface GlobalGroup {
  readonly id: string;
  readonly instance: string;
  readonly groupCode: string;
  readonly description: string;
  /** Ids of the member subsystems, in order. */
  readonly members: string[];
  readonly createdAt: Date;
}

/**
 * Parses `INSTANCE/GROUPCODE`, each part an identifier part as in core's
 * identifiers; throws `OrtooError('InvalidIdentifier')` on anything else.
 */
export function parseGlobalGroupId(text: unknown): GlobalGroupId {
  const parts = typeof text === 'string' && text.length <= 2 * 65 ? text.split('/') : [];
  const [instance, groupCode] = parts;
  if (parts.length !== 2 || instance === undefined || groupCode === undefined) {
    throw invalidGroupId(text);
  }
  if (!isValidPart(instance) || !isValidPart(groupCode)) throw invalidGroupId(text);
  return { instance, groupCode };
}

function invalidGroupId(text: unknown): OrtooError {
  const shown = typeof text === 'string' ? JSON.stringify(text.slice(0, 120)) : typeof text;
  return new OrtooError(
    'InvalidIdentifier',
    `Invalid global group identifier ${shown}: expected INSTANCE/GROUPCODE, each part 1-64 of A-Z a-z 0-9 . _ - and not only dots`,
    { detail: { kind: 'globalGroup', expected: 'INSTANCE/GROUPCODE' } },
  );
}

/** `INSTANCE/GROUPCODE`. */
export function formatGlobalGroupId(id: GlobalGroupId): string {
  return `${id.instance}/${id.groupCode}`;
}

interface GlobalGroupRow {
  id: string;
  instance: string;
  group_code: string;
  description: string;
  members: string[];
  created_at: Date;
}

const SELECT = `
  SELECT g.id, g.instance, g.group_code, g.description, g.created_at,
         coalesce((SELECT array_agg(m.subsystem_id ORDER BY m.subsystem_id)
                   FROM global_group_members m WHERE m.group_id = g.id), '{}') AS members
  FROM global_groups g`;

function toGlobalGroup(row: GlobalGroupRow): GlobalGroup {
  return {
    id: row.id,
    instance: row.instance,
    groupCode: row.group_code,
    description: row.description,
    members: row.members,
    createdAt: row.created_at,
  };
}

/** The group with that id, with its members, or undefined. */
export async function findGlobalGroup(db: SqlExecutor, id: string): Promise<GlobalGroup | undefined> {
  const [row] = await db.query<GlobalGroupRow>(`${SELECT} WHERE g.id = $1`, [id]);
  return row === undefined ? undefined : toGlobalGroup(row);
}

/** Adds an empty group; returns it, or undefined when one with that id already exists. */
export async function insertGlobalGroup(
  db: SqlExecutor,
  group: { id: GlobalGroupId; description: string },
): Promise<GlobalGroup | undefined> {
  const { id, description } = group;
  const text = formatGlobalGroupId(id);
  const rows = await db.query(
    `INSERT INTO global_groups (id, instance, group_code, description) VALUES ($1, $2, $3, $4)
     ON CONFLICT (id) DO NOTHING RETURNING id`,
    [text, id.instance, id.groupCode, description],
  );
  return rows.length === 0 ? undefined : findGlobalGroup(db, text);
}

/** Up to `count` groups ordered by id, after `after`. */
export async function listGlobalGroups(
  db: SqlExecutor,
  after: string | undefined,
  count: number,
): Promise<GlobalGroup[]> {
  const rows = await db.query<GlobalGroupRow>(
    `${SELECT} WHERE ($1::text IS NULL OR g.id > $1) ORDER BY g.id LIMIT $2`,
    [after ?? null, count],
  );
  return rows.map(toGlobalGroup);
}

/** How many access rights are granted to the group. */
export async function countGroupAccessRights(db: SqlExecutor, id: string): Promise<number> {
  const [row] = await db.query<{ count: number }>(
    'SELECT count(*)::int AS count FROM access_rights WHERE group_id = $1',
    [id],
  );
  return row?.count ?? 0;
}

/**
 * Deletes a group with its memberships and the access rights granted to it
 * (the schema cascades both); returns false when there was none.
 */
export async function deleteGlobalGroup(db: SqlExecutor, id: string): Promise<boolean> {
  const rows = await db.query('DELETE FROM global_groups WHERE id = $1 RETURNING id', [id]);
  return rows.length > 0;
}

/**
 * Puts a subsystem in a group; returns false when it already was. The caller
 * checks that both exist first.
 *
 * @throws OrtooError `NotFound` when the group or the subsystem is gone after all.
 */
export async function addGlobalGroupMember(
  db: SqlExecutor,
  groupId: string,
  subsystemId: string,
): Promise<boolean> {
  try {
    const rows = await db.query(
      `INSERT INTO global_group_members (group_id, subsystem_id) VALUES ($1, $2)
       ON CONFLICT (group_id, subsystem_id) DO NOTHING RETURNING group_id`,
      [groupId, subsystemId],
    );
    return rows.length > 0;
  } catch (error) {
    if (sqlStateOf(error) !== '23503') throw error;
    throw new OrtooError('NotFound', `No group ${groupId} or no subsystem ${subsystemId}`, { cause: error });
  }
}

/** Takes a subsystem out of a group; returns false when it was not in it. */
export async function removeGlobalGroupMember(
  db: SqlExecutor,
  groupId: string,
  subsystemId: string,
): Promise<boolean> {
  const rows = await db.query(
    'DELETE FROM global_group_members WHERE group_id = $1 AND subsystem_id = $2 RETURNING group_id',
    [groupId, subsystemId],
  );
  return rows.length > 0;
}
