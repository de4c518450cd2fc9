import type { Certificate } from '../pki/certificate';
import type { SqlExecutor, SqlStore } from '../store/sql-store';
import type { ChainTable } from './chain-table';
import type { ChainStart, VerificationReport } from './verify-chain';
import { verifyStoredChain } from './verify-stored-chain';

/** Options of {@link verifyChainedLog}. */
export interface VerifyChainedLogOptions {
  /** The certificates checkpoints may be signed with (the current one, and earlier ones before a renewal). */
  readonly signers: readonly Certificate[];
  /** Start of a time range (records at or after it). @defaultValue the whole log */
  readonly from?: Date;
  /** End of a time range (records before it). @defaultValue the whole log */
  readonly to?: Date;
}

/**
 * Where each chain continues after retention archived its start: the last
 * archived record of each writer, from the archive markers in `<table>_archives`.
 */
async function archivedStarts(db: SqlExecutor, table: string): Promise<Map<string, ChainStart>> {
  const rows = await db.query<{ writer: string; up_to_chain_seq: number; head_hash: string }>(
    `SELECT DISTINCT ON (writer) writer, up_to_chain_seq, head_hash
     FROM ${table}_archives ORDER BY writer, up_to_chain_seq DESC`,
  );
  return new Map(rows.map((row) => [row.writer, { chainSeq: row.up_to_chain_seq, hash: row.head_hash }]));
}

/**
 * Verifies a chained log (the gateway's audit log, a security server's
 * message log) as its owner keeps it: the whole log from what retention left
 * (the archive markers), or a time range from its first record's link, and
 * names the first problem.
 *
 * @throws OrtooError `DatabaseError` when the store cannot be read.
 */
export async function verifyChainedLog(
  store: SqlStore,
  table: ChainTable<unknown>,
  options: VerifyChainedLogOptions,
): Promise<VerificationReport> {
  const range = options.from !== undefined || options.to !== undefined;
  return verifyStoredChain(store, table, {
    resolveSigner: (thumbprint) =>
      options.signers.find((certificate) => certificate.thumbprint === thumbprint),
    ...(options.from === undefined ? {} : { from: options.from }),
    ...(options.to === undefined ? {} : { to: options.to }),
    ...(range ? {} : { startAfter: await archivedStarts(store, table.table) }),
  });
}
