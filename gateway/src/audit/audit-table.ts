import { rowContent, type ChainTable, type JsonValue } from '../../../core/src';

/** How a step ended: done, refused because of the caller, or failed on our side. */
export type AuditOutcome = 'ok' | 'refused' | 'failed';

/** The facts of one record as stored: everything but the chain columns, the subject already hashed. */
export interface StoredAuditEntry {
  event: string;
  outcome: AuditOutcome;
  errorType?: string;
  actor?: string;
  messageId?: string;
  client?: string;
  service?: string;
  userId?: string;
  securityServer?: string;
  requestHash?: string;
  responseHash?: string;
  requestSignature?: string;
  responseSignature?: string;
  subjectHash?: string;
  detail: { [key: string]: JsonValue };
}

/** The `audit_log` columns that hold a record's facts, and the entry field each one carries. */
export const FACT_COLUMNS = [
  ['event', 'event'],
  ['outcome', 'outcome'],
  ['error_type', 'errorType'],
  ['actor', 'actor'],
  ['message_id', 'messageId'],
  ['client', 'client'],
  ['service', 'service'],
  ['user_id', 'userId'],
  ['security_server', 'securityServer'],
  ['request_hash', 'requestHash'],
  ['response_hash', 'responseHash'],
  ['request_signature', 'requestSignature'],
  ['response_signature', 'responseSignature'],
  ['subject_hash', 'subjectHash'],
] as const satisfies readonly (readonly [string, keyof StoredAuditEntry])[];

/** What a record's hash covers besides its chain columns. */
const CONTENT_COLUMNS: readonly string[] = [...FACT_COLUMNS.map(([column]) => column), 'detail'];

/** The table's name, for queries written elsewhere in `audit/`. */
export const AUDIT_TABLE_NAME = 'audit_log';

/**
 * The gateway's audit log as a hash-chained table: which columns an entry
 * fills, and what of a stored row its hash covers. The hashed content is
 * every fact column (absent ones as `null`) and `detail`, keyed by column
 * name, so a verifier (the gateway, or `ortoo audit verify-bundle` offline)
 * rebuilds it from the row alone.
 */
export const AUDIT_TABLE: ChainTable<StoredAuditEntry> = {
  table: AUDIT_TABLE_NAME,
  columns: (entry) => {
    const columns: Record<string, unknown> = {};
    for (const [column, field] of FACT_COLUMNS) columns[column] = entry[field] ?? null;
    columns.detail = entry.detail;
    return columns;
  },
  content: (row) => rowContent(row, CONTENT_COLUMNS),
};

/** The facts of a stored row, absent columns left out. */
export function factsOf(row: Record<string, unknown>): StoredAuditEntry {
  const entry: Record<string, unknown> = { detail: row.detail };
  for (const [column, field] of FACT_COLUMNS) {
    const value = row[column];
    if (typeof value === 'string') entry[field] = value;
  }
  return entry as unknown as StoredAuditEntry;
}
