import {
  OrtooError,
  buildEvidenceBundle,
  readCheckpoint,
  type Checkpoint,
  type JsonValue,
  type SqlExecutor,
} from '../../../core/src';
import type { GatewayTrust } from '../trust/gateway-trust';
import { searchAuditRecords, type AuditSearch } from './audit-repository';

/** Most records one bundle carries: an export is evidence for a case, not a backup. */
export const MAX_EXPORT_RECORDS = 10_000;

/** A run of one writer's chain, by chain_seq, both ends included. */
interface ChainRange {
  writer: string;
  from: number;
  to: number;
}

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
  const { links, checkpoints } = await chainEvidence(db, rows);
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

/**
 * The rows and checkpoints that anchor `rows`: for each row, every row of its
 * chain up to the first checkpoint at or after it, and that checkpoint.
 */
export async function chainEvidence(
  db: SqlExecutor,
  rows: readonly Record<string, unknown>[],
): Promise<{ links: Record<string, unknown>[]; checkpoints: Checkpoint[] }> {
  const seqsByWriter = new Map<string, number[]>();
  for (const row of rows) {
    const writer = row.writer as string;
    seqsByWriter.set(writer, [...(seqsByWriter.get(writer) ?? []), row.chain_seq as number]);
  }
  const links: Record<string, unknown>[] = [];
  const checkpoints: Checkpoint[] = [];
  for (const [writer, seqs] of seqsByWriter) {
    const signed = (
      await db.query(
        'SELECT * FROM audit_log_checkpoints WHERE writer = $1 AND chain_seq >= $2 ORDER BY chain_seq, id',
        [writer, Math.min(...seqs)],
      )
    ).map(readCheckpoint);
    const ranges = anchoredRanges(writer, seqs, signed);
    for (const range of ranges) {
      links.push(
        ...(await db.query(
          'SELECT * FROM audit_log WHERE writer = $1 AND chain_seq BETWEEN $2 AND $3 ORDER BY chain_seq',
          [writer, range.from, range.to],
        )),
      );
      const anchor = signed.find((checkpoint) => checkpoint.chainSeq === range.to);
      if (anchor !== undefined) checkpoints.push(anchor);
    }
  }
  return { links, checkpoints };
}

/**
 * Each row's run up to the first checkpoint at or after it, merged where runs
 * meet; a row beyond the last checkpoint gets a run ending at itself (the
 * bundle then names it as not covered).
 */
function anchoredRanges(
  writer: string,
  seqs: readonly number[],
  signed: readonly Checkpoint[],
): ChainRange[] {
  const ends = [...new Set(signed.map((checkpoint) => checkpoint.chainSeq))].sort((a, b) => a - b);
  const ranges: ChainRange[] = [];
  for (const seq of [...seqs].sort((a, b) => a - b)) {
    const last = ranges.at(-1);
    if (last !== undefined && seq <= last.to) continue;
    const end = ends.find((chainSeq) => chainSeq >= seq) ?? seq;
    ranges.push({ writer, from: seq, to: end });
  }
  return ranges;
}
