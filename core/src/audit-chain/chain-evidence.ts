import type { SqlExecutor } from '../store/sql-store';
import { readCheckpoint, type Checkpoint } from './checkpoint';

/** Where a chained log keeps its rows and its signed checkpoints. */
export interface ChainTables {
  /** The chained table, e.g. `audit_log`. */
  readonly table: string;
  /** Its checkpoints, e.g. `audit_log_checkpoints`. */
  readonly checkpoints: string;
}

/** A run of one writer's chain, `from` to `to` inclusive. */
interface ChainRange {
  readonly writer: string;
  readonly from: number;
  readonly to: number;
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

/**
 * The rows and checkpoints that anchor `rows` in an evidence bundle: for each
 * row, every row of its chain up to the first checkpoint at or after it, and
 * that checkpoint. The same for every chained log (the gateway's audit log,
 * a security server's message log).
 */
export async function chainEvidence(
  db: SqlExecutor,
  tables: ChainTables,
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
        `SELECT * FROM ${tables.checkpoints} WHERE writer = $1 AND chain_seq >= $2 ORDER BY chain_seq, id`,
        [writer, Math.min(...seqs)],
      )
    ).map(readCheckpoint);
    for (const range of anchoredRanges(writer, seqs, signed)) {
      links.push(
        ...(await db.query(
          `SELECT * FROM ${tables.table} WHERE writer = $1 AND chain_seq BETWEEN $2 AND $3 ORDER BY chain_seq`,
          [writer, range.from, range.to],
        )),
      );
      const anchor = signed.find((checkpoint) => checkpoint.chainSeq === range.to);
      if (anchor !== undefined) checkpoints.push(anchor);
    }
  }
  return { links, checkpoints };
}

/** The archive cut-off of a retention of `days` before `now`. */
export function retentionCutoff(now: Date, days: number): Date {
  return new Date(now.getTime() - days * 24 * 3600 * 1000);
}
