/**
 * Verification of a chained table in the database, read in pages one chain at
 * a time, so a log of any size is verified in bounded memory.
 */
import type { SqlStore } from '../store/sql-store';
import { type ChainTable, checkIdentifier } from './chain-table';
import { type CheckpointSignerResolver, readCheckpoint } from './checkpoint';
import { type ChainStart, ChainVerifier, type VerificationReport } from './verify-chain';

/** Default of {@link VerifyStoredChainOptions.pageSize}. */
export const DEFAULT_VERIFY_PAGE_SIZE = 1_000;

/** Options of {@link verifyStoredChain}. */
export interface VerifyStoredChainOptions {
  /** Finds a checkpoint signer's public key by certificate thumbprint. */
  resolveSigner: CheckpointSignerResolver;
  /**
   * Start of a time range (records with `at` at or after it).
   * @defaultValue none: from each chain's start
   */
  from?: Date;
  /**
   * End of a time range (records with `at` before it).
   * @defaultValue none: to each chain's end
   */
  to?: Date;
  /**
   * Where chains continue from after retention removed their start (read from
   * the archive markers).
   * @defaultValue none
   */
  startAfter?: ReadonlyMap<string, ChainStart>;
  /**
   * Rows read per query.
   * @defaultValue {@link DEFAULT_VERIFY_PAGE_SIZE}
   */
  pageSize?: number;
}

/**
 * Verifies the chains of a table, the whole log or a time range, and names
 * the first problem (by writer, then chain_seq). In a range, each chain starts
 * from its first record's prev_hash, trusted as far as a checkpoint in the
 * range covers it. Unless the range has an end, a checkpoint beyond a chain's
 * last record (records removed from its end) is a problem too.
 *
 * @throws OrtooError `DatabaseError` when the store cannot be read.
 */
export async function verifyStoredChain(
  store: SqlStore,
  table: ChainTable<unknown>,
  options: VerifyStoredChainOptions,
): Promise<VerificationReport> {
  const name = checkIdentifier(table.table);
  const checkpointTable = checkIdentifier(`${name}_checkpoints`);
  const pageSize = options.pageSize ?? DEFAULT_VERIFY_PAGE_SIZE;
  const partial = options.from !== undefined || options.to !== undefined;
  const from = options.from ?? null;
  const to = options.to ?? null;
  const range = '($3::timestamptz IS NULL OR at >= $3) AND ($4::timestamptz IS NULL OR at < $4)';

  // Writers from both tables: a chain whose records were all deleted still has checkpoints.
  const writers = await store.query<{ writer: string }>(
    `SELECT writer FROM ${name} GROUP BY writer UNION SELECT writer FROM ${checkpointTable} GROUP BY writer`,
  );
  const verifier = new ChainVerifier({
    content: (row) => table.content(row),
    resolveSigner: options.resolveSigner,
  });
  for (const writer of writers.map((row) => row.writer).sort()) {
    const checkpoints = (
      await store.query(
        `SELECT id, writer, chain_seq, head_hash, record_count, at, signer, protected, signature
         FROM ${checkpointTable} WHERE writer = $1 AND ($2::timestamptz IS NULL OR at >= $2) ORDER BY chain_seq, id`,
        [writer, from],
      )
    ).map(readCheckpoint);
    verifier.begin(
      writer,
      checkpoints,
      options.startAfter?.get(writer) ?? (partial ? 'first-row' : undefined),
    );
    // Bounded ranges of chain_seq, so each page is an index range scan whatever the planner's statistics say.
    const [extent] = await store.query<{ first: number | null; last: number | null }>(
      `SELECT min(chain_seq) AS first, max(chain_seq) AS last FROM ${name} WHERE writer = $1`,
      [writer],
    );
    const last = Number(extent?.last ?? 0);
    for (let after = Math.max(0, Number(extent?.first ?? 1) - 1); after < last; after += pageSize) {
      const rows = await store.query(
        `SELECT * FROM ${name} WHERE writer = $1 AND chain_seq > $2 AND chain_seq <= $2 + $5 AND ${range}
         ORDER BY chain_seq`,
        [writer, after, from, to, pageSize],
      );
      for (const row of rows) {
        const problem = verifier.row(row);
        if (problem !== undefined) return { ok: false, problem };
      }
    }
    // With no end to the range, a checkpoint beyond a chain's last record means records were removed.
    const problem = verifier.end(options.to === undefined);
    if (problem !== undefined) return { ok: false, problem };
  }
  return { ok: true, records: verifier.records, chains: verifier.chains, checkpoints: verifier.checkpoints };
}
