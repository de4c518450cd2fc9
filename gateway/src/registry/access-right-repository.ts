import type { EndpointRule, SqlExecutor } from '../../../core/src';
import type { PageRequest } from '../routes/pagination';

/**
 * A right to call every version of a service, held by one subsystem or by
 * every subsystem of a global group: exactly one of `clientId` and `groupId`.
 * Without `endpoint` it covers every endpoint of the service; with one, the
 * calls that endpoint covers.
 */
export interface AccessRight {
  /** Assigned by the registry; a decimal string. */
  id: string;
  serviceId: string;
  clientId?: string;
  groupId?: string;
  endpoint?: EndpointRule;
  createdAt: Date;
}

/** Who a right is given to: a subsystem or a global group. */
export type RightHolder = { clientId: string } | { groupId: string };

interface AccessRightRow {
  id: string;
  service_id: string;
  client_id: string | null;
  group_id: string | null;
  endpoint_method: EndpointRule['method'] | null;
  endpoint_path: string | null;
  created_at: Date;
}

const COLUMNS = 'id::text AS id, service_id, client_id, group_id, endpoint_method, endpoint_path, created_at';

function toAccessRight(row: AccessRightRow): AccessRight {
  return {
    id: row.id,
    serviceId: row.service_id,
    ...(row.client_id === null ? {} : { clientId: row.client_id }),
    ...(row.group_id === null ? {} : { groupId: row.group_id }),
    ...(row.endpoint_method === null || row.endpoint_path === null
      ? {}
      : { endpoint: { method: row.endpoint_method, path: row.endpoint_path } }),
    createdAt: row.created_at,
  };
}

function holderParams(holder: RightHolder): [string | null, string | null] {
  return 'clientId' in holder ? [holder.clientId, null] : [null, holder.groupId];
}

function endpointParams(endpoint: EndpointRule | undefined): [string | null, string | null] {
  return endpoint === undefined ? [null, null] : [endpoint.method, endpoint.path];
}

/**
 * Gives a right, to the whole service or to one endpoint (normalised by
 * `parseEndpoint`); undefined when the same right is already given (the
 * caller then answers with the existing one, see {@link findAccessRight}).
 */
export async function insertAccessRight(
  tx: SqlExecutor,
  serviceId: string,
  holder: RightHolder,
  endpoint?: EndpointRule,
): Promise<AccessRight | undefined> {
  const [row] = await tx.query<AccessRightRow>(
    `INSERT INTO access_rights (service_id, client_id, group_id, endpoint_method, endpoint_path)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT DO NOTHING RETURNING ${COLUMNS}`,
    [serviceId, ...holderParams(holder), ...endpointParams(endpoint)],
  );
  return row === undefined ? undefined : toAccessRight(row);
}

/** The right of `holder` to call the service (or, given, that endpoint of it), if given. */
export async function findAccessRight(
  db: SqlExecutor,
  serviceId: string,
  holder: RightHolder,
  endpoint?: EndpointRule,
): Promise<AccessRight | undefined> {
  const [row] = await db.query<AccessRightRow>(
    `SELECT ${COLUMNS} FROM access_rights
     WHERE service_id = $1 AND client_id IS NOT DISTINCT FROM $2 AND group_id IS NOT DISTINCT FROM $3
       AND endpoint_method IS NOT DISTINCT FROM $4 AND endpoint_path IS NOT DISTINCT FROM $5`,
    [serviceId, ...holderParams(holder), ...endpointParams(endpoint)],
  );
  return row === undefined ? undefined : toAccessRight(row);
}

/** Filters of {@link listAccessRights}. */
export interface AccessRightFilter {
  serviceId?: string;
  clientId?: string;
  groupId?: string;
}

/**
 * A page of rights in the order they were given, with `limit + 1` rows to
 * tell if there is more; `page.after` is the id of the last right of the
 * previous page, a decimal string.
 */
export async function listAccessRights(
  db: SqlExecutor,
  filter: AccessRightFilter,
  page: PageRequest,
): Promise<AccessRight[]> {
  const rows = await db.query<AccessRightRow>(
    `SELECT ${COLUMNS} FROM access_rights
     WHERE ($1::text IS NULL OR service_id = $1) AND ($2::text IS NULL OR client_id = $2)
       AND ($3::text IS NULL OR group_id = $3) AND ($4::bigint IS NULL OR id > $4::bigint)
     ORDER BY id LIMIT $5`,
    [
      filter.serviceId ?? null,
      filter.clientId ?? null,
      filter.groupId ?? null,
      page.after ?? null,
      page.limit + 1,
    ],
  );
  return rows.map(toAccessRight);
}

/** How many rights to call the service are given. */
export async function countAccessRights(db: SqlExecutor, serviceId: string): Promise<number> {
  const [row] = await db.query<{ count: number }>(
    'SELECT count(*)::int AS count FROM access_rights WHERE service_id = $1',
    [serviceId],
  );
  return row?.count ?? 0;
}

/** Takes a right back; the right as it was, or undefined when there was none with that id. */
export async function deleteAccessRight(tx: SqlExecutor, id: string): Promise<AccessRight | undefined> {
  const [row] = await tx.query<AccessRightRow>(
    `DELETE FROM access_rights WHERE id = $1::bigint RETURNING ${COLUMNS}`,
    [id],
  );
  return row === undefined ? undefined : toAccessRight(row);
}

/**
 * True when the global group is registered; in a transaction it then cannot
 * be deleted before the transaction ends.
 */
export async function lockGroupForShare(tx: SqlExecutor, groupId: string): Promise<boolean> {
  const rows = await tx.query('SELECT id FROM global_groups WHERE id = $1 FOR SHARE', [groupId]);
  return rows.length > 0;
}
