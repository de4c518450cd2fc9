import type { SqlExecutor } from '../../../core/src';

/**
 * One processing of a data subject's data, in the shape of Estonia's data
 * tracker (e-gov/AJ `dumonitor-openapi.yaml` v2, `Usage`).
 */
export interface Usage {
  /** When the data was handed over. */
  logtime: Date;
  /** Why: the stated purpose (`X-Road-Issue`) and the service it went through. */
  action: string;
  /** Member code (registry code) of the agency that received the data. */
  receiverCode: string;
  /** Its name, while it is a member. */
  receiverName?: string;
  /** Its subsystem (information system) that received the data. */
  receiverSystem?: string;
}

/** The data tracker's `FindUsageResponse`. */
export interface UsageReport {
  /** Usages in the period, whatever `offset` and `limit`. */
  totalUsages: number;
  usages: Usage[];
}

/** What {@link findUsage} looks for. */
export interface UsageQuery {
  /** The subject's keyed hash (never the identifier). */
  subjectHash: string;
  /** Usages at or after this time. */
  from?: Date;
  /** Usages before this time. */
  to?: Date;
  offset: number;
  limit: number;
}

/** The events at which a subject's data reached a client: the provider delivered it, the client got the answer. */
const USAGE_EVENTS = ['delivered', 'answered'];

/**
 * The usages of a data subject's data, newest first: one per exchange (the
 * first of its `delivered`/`answered` records that carry the subject), with
 * the receiving client, the service, and the purpose from `detail.issue`.
 */
export async function findUsage(db: SqlExecutor, query: UsageQuery): Promise<UsageReport> {
  const params: unknown[] = [query.subjectHash, USAGE_EVENTS];
  const where = ['subject_hash = $1', 'event = ANY($2)', "outcome = 'ok'", 'client IS NOT NULL'];
  if (query.from !== undefined) {
    params.push(query.from);
    where.push(`at >= $${params.length}`);
  }
  if (query.to !== undefined) {
    params.push(query.to);
    where.push(`at < $${params.length}`);
  }
  params.push(query.offset, query.limit);
  const rows = await db.query<{
    at: Date;
    client: string;
    service: string | null;
    issue: string | null;
    member_name: string | null;
    total: number;
  }>(
    `WITH usages AS (
       SELECT DISTINCT ON (coalesce(message_id, seq::text)) seq, at, client, service, detail->>'issue' AS issue
       FROM audit_log WHERE ${where.join(' AND ')}
       ORDER BY coalesce(message_id, seq::text), seq
     )
     SELECT u.at, u.client, u.service, u.issue, m.name AS member_name, count(*) OVER () AS total
     FROM usages u LEFT JOIN members m ON m.id = split_part(u.client, '/', 1) || '/' ||
       split_part(u.client, '/', 2) || '/' || split_part(u.client, '/', 3)
     ORDER BY u.at DESC, u.seq DESC
     OFFSET $${params.length - 1} LIMIT $${params.length}`,
    params,
  );
  const totalUsages =
    rows[0]?.total ?? (query.offset > 0 ? await countUsages(db, params.slice(0, -2), where) : 0);
  return { totalUsages, usages: rows.map(toUsage) };
}

/** The count alone, for an offset past the last usage (no row carries it then). */
async function countUsages(db: SqlExecutor, params: unknown[], where: string[]): Promise<number> {
  const [row] = await db.query<{ total: number }>(
    `SELECT count(DISTINCT coalesce(message_id, seq::text)) AS total FROM audit_log WHERE ${where.join(' AND ')}`,
    params,
  );
  return row?.total ?? 0;
}

function toUsage(row: {
  at: Date;
  client: string;
  service: string | null;
  issue: string | null;
  member_name: string | null;
}): Usage {
  const [, , memberCode, subsystemCode] = row.client.split('/');
  const service = row.service ?? 'unknown service';
  return {
    logtime: row.at,
    action: row.issue === null || row.issue === '' ? service : `${row.issue} (${service})`,
    receiverCode: memberCode ?? row.client,
    ...(row.member_name === null ? {} : { receiverName: row.member_name }),
    ...(subsystemCode === undefined ? {} : { receiverSystem: subsystemCode }),
  };
}

/** The time span the log holds: from its oldest record (older ones were archived) until now. */
export async function usagePeriod(db: SqlExecutor, now: Date): Promise<{ periodStart: Date }> {
  const [row] = await db.query<{ first: Date | null }>('SELECT min(at) AS first FROM audit_log');
  return { periodStart: row?.first ?? now };
}
