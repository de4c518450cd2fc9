import {
  OrtooError,
  buildEvidenceBundle,
  chainEvidence,
  type ChainTables,
  type JsonValue,
  type SqlExecutor,
} from '../../../core/src';
import type { GatewayTrust } from '../trust/gateway-trust';
import { searchAuditRecords, type AuditSearch } from './audit-repository';
import { AUDIT_TABLE_NAME } from './audit-table';

/** Where the audit log keeps its rows and checkpoints. */
const AUDIT_CHAIN_TABLES: ChainTables = { table: AUDIT_TABLE_NAME, checkpoints: 'audit_log_checkpoints' };

/** Most records one bundle carries: an export is evidence for a case, not a backup. */
export const MAX_EXPORT_RECORDS = 10_000;

/** Options of {@link exportEvidence}. */
export interface ExportOptions {
  /** The query as the auditor gave it, kept in the bundle for its reader. */
  query: JsonValue;
  trust: Pick<GatewayTrust, 'ca' | 'auditCertificate' | 'auditSigner'>;
  createdAt: Date;
  /** Signs this process's chain head, so that its records just written are covered. */
  checkpoint(): Promise<unknown>;
}

/**
 * The evidence bundle of a search: the matching records, the rows that link
 * each of them to the next signed checkpoint of its chain, those
 * checkpoints, and the audit-signing and CA certificates, signed as one file
 * (see core's `buildEvidenceBundle`).
 *
 * @throws OrtooError `BadRequest` when more than {@link MAX_EXPORT_RECORDS}
 *   match; `Conflict` when some record is not yet covered by a checkpoint
 *   (its writer has not signed since; a stopped writer signs on close).
 */
export async function exportEvidence(
  db: SqlExecutor,
  search: AuditSearch,
  options: ExportOptions,
): Promise<{ text: string; records: number }> {
  const rows = await searchAuditRecords(db, search, { limit: MAX_EXPORT_RECORDS + 1 });
  if (rows.length > MAX_EXPORT_RECORDS) {
    throw new OrtooError(
      'BadRequest',
      `More than ${MAX_EXPORT_RECORDS} records match: narrow the query (a time range, a message id)`,
    );
  }
  // Signed after the search: every record this gateway wrote that the search found is then covered.
  await options.checkpoint();
  const { links, checkpoints } = await chainEvidence(db, AUDIT_CHAIN_TABLES, rows);
  const text = buildEvidenceBundle({
    query: options.query,
    rows,
    links,
    checkpoints,
    certificates: { signer: options.trust.auditCertificate.pem, ca: options.trust.ca.certificate.pem },
    signer: options.trust.auditSigner,
    createdAt: options.createdAt,
  });
  return { text, records: rows.length };
}
