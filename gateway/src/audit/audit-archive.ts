import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  OrtooError,
  buildEvidenceBundle,
  readCheckpoint,
  verifyEvidenceBundle,
  type SqlStore,
} from '../../../core/src';
import type { GatewayTrust } from '../trust/gateway-trust';
import { AUDIT_TABLE } from './audit-table';

/** Options of {@link archiveOldRecords}. */
export interface ArchiveOptions {
  /**
   * The store as the retention role: the only role granted DELETE on the log
   * (the gateway's own role has INSERT and SELECT only).
   */
  store: SqlStore;
  /** Folder the archive files are written to. */
  dir: string;
  /** Records before this time are archived (whole chain prefixes, up to a checkpoint). */
  cutoff: Date;
  /** Signs the archive files, which carry the CA and signer certificates. */
  trust: Pick<GatewayTrust, 'ca' | 'auditCertificate' | 'auditSigner'>;
  /** @defaultValue the current time */
  now?: Date;
}

/** One chain prefix that was archived and removed. */
export interface ArchivedPrefix {
  writer: string;
  /** First and last chain_seq archived. */
  fromChainSeq: number;
  upToChainSeq: number;
  records: number;
  /** The evidence bundle holding them. */
  file: string;
}

/**
 * Retention: for each writer, exports the prefix of its chain older than the
 * cut-off, up to its last checkpoint there, to an evidence bundle file; reads
 * the file back and verifies it; and only then, in one transaction, records
 * an archive marker (which verification of the rest starts from) and deletes
 * the prefix. A prefix not yet covered by a checkpoint waits for a later run.
 *
 * @throws OrtooError `AuditUnavailable` when a written archive does not
 *   verify or the rows changed meanwhile: nothing of that prefix is deleted.
 */
export async function archiveOldRecords(options: ArchiveOptions): Promise<ArchivedPrefix[]> {
  const { store, trust } = options;
  const now = options.now ?? new Date();
  const archived: ArchivedPrefix[] = [];
  const writers = await store.query<{ writer: string; archived: number | null }>(
    `SELECT l.writer, (SELECT max(up_to_chain_seq) FROM audit_log_archives a WHERE a.writer = l.writer) AS archived
     FROM audit_log l GROUP BY l.writer ORDER BY l.writer`,
  );
  for (const { writer, archived: done } of writers) {
    const start = done ?? 0;
    const [bound] = await store.query<{ newer: number | null; last: number | null }>(
      `SELECT min(chain_seq) FILTER (WHERE at >= $3) AS newer, max(chain_seq) AS last
       FROM audit_log WHERE writer = $1 AND chain_seq > $2`,
      [writer, start, options.cutoff],
    );
    const newer = bound?.newer ?? null;
    const oldEnd = newer === null ? (bound?.last ?? start) : newer - 1;
    const checkpoints = (
      await store.query(
        `SELECT * FROM audit_log_checkpoints WHERE writer = $1 AND chain_seq > $2 AND chain_seq <= $3
         ORDER BY chain_seq, id`,
        [writer, start, oldEnd],
      )
    ).map(readCheckpoint);
    const anchor = checkpoints.at(-1);
    if (anchor === undefined) continue;

    const rows = await store.query(
      'SELECT * FROM audit_log WHERE writer = $1 AND chain_seq > $2 AND chain_seq <= $3 ORDER BY chain_seq',
      [writer, start, anchor.chainSeq],
    );
    const text = buildEvidenceBundle({
      query: {
        archive: writer,
        fromChainSeq: start + 1,
        upToChainSeq: anchor.chainSeq,
        cutoff: options.cutoff.toISOString(),
      },
      rows,
      links: [],
      checkpoints,
      certificates: { signer: trust.auditCertificate.pem, ca: trust.ca.certificate.pem },
      signer: trust.auditSigner,
      createdAt: now,
    });
    const file = path.join(
      options.dir,
      `audit-archive-${fileSafe(writer)}-${start + 1}-${anchor.chainSeq}.jose.json`,
    );
    mkdirSync(options.dir, { recursive: true });
    writeFileSync(file, text, { flag: 'wx' }); // never over an earlier archive

    // What is on disk, not what was meant to be, is what must verify.
    const check = verifyEvidenceBundle(readFileSync(file, 'utf8'), {
      content: AUDIT_TABLE.content,
      trustedCa: trust.ca.certificate,
    });
    if (!check.ok || check.records !== anchor.chainSeq - start) {
      throw new OrtooError('AuditUnavailable', `Archive ${file} does not verify; nothing was deleted`, {
        detail: check.ok ? { records: check.records } : { problem: check.problem },
      });
    }
    await store.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO audit_log_archives (writer, up_to_chain_seq, head_hash, record_count, file, at, up_to_leaf_index)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [
          writer,
          anchor.chainSeq,
          anchor.headHash,
          rows.length,
          file,
          now,
          Math.max(...rows.map((row) => Number(row.leaf_index))),
        ],
      );
      const deleted = await tx.query(
        'DELETE FROM audit_log WHERE writer = $1 AND chain_seq > $2 AND chain_seq <= $3 RETURNING seq',
        [writer, start, anchor.chainSeq],
      );
      if (deleted.length !== rows.length) {
        throw new OrtooError('AuditUnavailable', `Records of ${writer} changed while being archived`);
      }
    });
    archived.push({
      writer,
      fromChainSeq: start + 1,
      upToChainSeq: anchor.chainSeq,
      records: rows.length,
      file,
    });
  }
  return archived;
}

/** A writer id as part of a file name. */
function fileSafe(writer: string): string {
  return writer.replace(/[^A-Za-z0-9._-]/g, '_');
}
