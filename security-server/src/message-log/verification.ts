import {
  verifyEvidenceBundle,
  verifyStoredChain,
  type BundleVerification,
  type Certificate,
  type ChainStart,
  type CheckpointSignerResolver,
  type SqlExecutor,
  type SqlStore,
  type VerificationReport,
} from '../../../core/src';
import { MESSAGE_LOG_ARCHIVES, MESSAGE_LOG_TABLE } from './message-log-table';

/** Finds a checkpoint's signer among the given certificates (the server's sign certificates). */
export function messageLogSignerResolver(certificates: readonly Certificate[]): CheckpointSignerResolver {
  return (thumbprint) => certificates.find((certificate) => certificate.thumbprint === thumbprint);
}

/**
 * Where each chain continues after retention archived its start: the last
 * archived record of each writer, from the archive markers.
 */
export async function archivedStarts(db: SqlExecutor): Promise<Map<string, ChainStart>> {
  const rows = await db.query<{ writer: string; up_to_chain_seq: number; head_hash: string }>(
    `SELECT DISTINCT ON (writer) writer, up_to_chain_seq, head_hash
     FROM ${MESSAGE_LOG_ARCHIVES} ORDER BY writer, up_to_chain_seq DESC`,
  );
  return new Map(rows.map((row) => [row.writer, { chainSeq: row.up_to_chain_seq, hash: row.head_hash }]));
}

/** Options of {@link verifyMessageLog}. */
export interface VerifyMessageLogOptions {
  /**
   * The certificates checkpoints may be signed with: the server's sign
   * certificate, and earlier ones that signed before a renewal.
   */
  readonly signers: readonly Certificate[];
  /** Start of a time range (records at or after it). @defaultValue the whole log */
  readonly from?: Date;
  /** End of a time range (records before it). @defaultValue the whole log */
  readonly to?: Date;
}

/**
 * Verifies the message log's chains and checkpoints, the whole log (from what
 * retention left) or a time range, and names the first problem: the row
 * (`seq`) whose content no longer matches its hash, a broken link, a gap, or
 * a checkpoint that does not hold.
 *
 * @throws OrtooError `DatabaseError` when the store cannot be read.
 */
export async function verifyMessageLog(
  store: SqlStore,
  options: VerifyMessageLogOptions,
): Promise<VerificationReport> {
  const range = options.from !== undefined || options.to !== undefined;
  return verifyStoredChain(store, MESSAGE_LOG_TABLE, {
    resolveSigner: messageLogSignerResolver(options.signers),
    ...(options.from === undefined ? {} : { from: options.from }),
    ...(options.to === undefined ? {} : { to: options.to }),
    // A range starts from its first record's link; the whole log from what retention left.
    ...(range ? {} : { startAfter: await archivedStarts(store) }),
  });
}

/** Options of {@link verifyMessageLogBundle}. */
export interface VerifyMessageLogBundleOptions {
  /** The instance CA the auditor trusts. @defaultValue none: the bundled CA is reported for the auditor to judge */
  readonly trustedCa?: Certificate;
  /** The instant to judge at. @defaultValue now */
  readonly now?: Date;
}

/**
 * Verifies a message-log evidence bundle (an export or an archive file)
 * offline: what `ortoo audit verify-bundle` checks, with the message log's
 * row content.
 */
export function verifyMessageLogBundle(
  text: string,
  options: VerifyMessageLogBundleOptions = {},
): BundleVerification {
  return verifyEvidenceBundle(text, {
    content: (row) => MESSAGE_LOG_TABLE.content(row),
    ...(options.trustedCa === undefined ? {} : { trustedCa: options.trustedCa }),
    ...(options.now === undefined ? {} : { now: options.now }),
  });
}
