import type { SqlExecutor } from '../../../core/src';
import type { AuditFilters } from './audit-query';
import { factsOf, type StoredAuditEntry } from './audit-table';

/** One record of the audit log as the auditor API shows it: its chain columns and its facts. */
export interface AuditRecord extends StoredAuditEntry {
  seq: number;
  at: Date;
  writer: string;
  chainSeq: number;
  prevHash: string | null;
  hash: string;
}

/** A search, with the data subject already hashed. */
export type AuditSearch = Omit<AuditFilters, 'subject'> & { subjectHash?: string };

/** The equality filters and their columns. */
const EQUALITY_FILTERS = [
  ['messageId', 'message_id'],
  ['client', 'client'],
  ['service', 'service'],
  ['userId', 'user_id'],
  ['securityServer', 'security_server'],
  ['event', 'event'],
  ['outcome', 'outcome'],
  ['subjectHash', 'subject_hash'],
] as const satisfies readonly (readonly [keyof AuditSearch, string])[];

/** A stored row as the API shows it. */
export function toAuditRecord(row: Record<string, unknown>): AuditRecord {
  return {
    seq: row.seq as number,
    at: row.at as Date,
    writer: row.writer as string,
    chainSeq: row.chain_seq as number,
    prevHash: row.prev_hash as string | null,
    hash: row.hash as string,
    ...factsOf(row),
  };
}

/** `WHERE` conditions and parameters of a search, parameters numbered from 1. */
export function searchConditions(search: AuditSearch): { where: string[]; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  for (const [field, column] of EQUALITY_FILTERS) {
    const value = search[field];
    if (value === undefined) continue;
    params.push(value);
    where.push(`${column} = $${params.length}`);
  }
  if (search.from !== undefined) {
    params.push(search.from);
    where.push(`at >= $${params.length}`);
  }
  if (search.to !== undefined) {
    params.push(search.to);
    where.push(`at < $${params.length}`);
  }
  return { where, params };
}

/**
 * Records matching `search` in `seq` order, after `afterSeq`, at most `limit`
 * (fetch one more than a page to know whether another follows).
 */
export async function searchAuditRecords(
  db: SqlExecutor,
  search: AuditSearch,
  page: { afterSeq?: number; limit: number },
): Promise<Record<string, unknown>[]> {
  const { where, params } = searchConditions(search);
  if (page.afterSeq !== undefined) {
    params.push(page.afterSeq);
    where.push(`seq > $${params.length}`);
  }
  params.push(page.limit);
  return db.query(
    `SELECT * FROM audit_log ${where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`}
     ORDER BY seq LIMIT $${params.length}`,
    params,
  );
}

/** Checkpoints in `id` order, of one writer or all, after `afterId`. */
export async function listCheckpointRows(
  db: SqlExecutor,
  options: { writer?: string; afterId?: number; limit: number },
): Promise<Record<string, unknown>[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (options.writer !== undefined) {
    params.push(options.writer);
    where.push(`writer = $${params.length}`);
  }
  if (options.afterId !== undefined) {
    params.push(options.afterId);
    where.push(`id > $${params.length}`);
  }
  params.push(options.limit);
  return db.query(
    `SELECT * FROM audit_log_checkpoints ${where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`}
     ORDER BY id LIMIT $${params.length}`,
    params,
  );
}
