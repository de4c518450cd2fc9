import {
  verifyStoredChain,
  type Certificate,
  type ChainStart,
  type CheckpointSignerResolver,
  type SqlExecutor,
  type SqlStore,
  type VerificationReport,
} from '../../../core/src';
import { AUDIT_TABLE } from './audit-table';

/** Finds the checkpoint signer among the given certificates (the gateway's audit-signing certificate). */
export function auditSignerResolver(certificates: readonly Certificate[]): CheckpointSignerResolver {
  return (thumbprint) => certificates.find((certificate) => certificate.thumbprint === thumbprint);
}

/**
 * Where each chain continues after retention archived its start: the last
 * archived record of each writer, from the archive markers.
 */
export async function archivedStarts(db: SqlExecutor): Promise<Map<string, ChainStart>> {
  const rows = await db.query<{ writer: string; up_to_chain_seq: number; head_hash: string }>(
    `SELECT DISTINCT ON (writer) writer, up_to_chain_seq, head_hash
     FROM audit_log_archives ORDER BY writer, up_to_chain_seq DESC`,
  );
  return new Map(rows.map((row) => [row.writer, { chainSeq: row.up_to_chain_seq, hash: row.head_hash }]));
}

/** Options of {@link verifyAuditLog}. */
export interface AuditVerifyOptions {
  /** The certificates checkpoints may be signed with. */
  signers: readonly Certificate[];
  /** A time range; the whole log when neither is given. */
  from?: Date;
  to?: Date;
}

/**
 * Verifies the audit log's chains and checkpoints, the whole log (from the
 * archive markers on) or a time range, and names the first problem.
 */
export async function verifyAuditLog(
  store: SqlStore,
  options: AuditVerifyOptions,
): Promise<VerificationReport> {
  const range = options.from !== undefined || options.to !== undefined;
  return verifyStoredChain(store, AUDIT_TABLE, {
    resolveSigner: auditSignerResolver(options.signers),
    ...(options.from === undefined ? {} : { from: options.from }),
    ...(options.to === undefined ? {} : { to: options.to }),
    // A range starts from its first record's link; the whole log from what retention left.
    ...(range ? {} : { startAfter: await archivedStarts(store) }),
  });
}
