/**
 * Verification of chains, without I/O: given the rows (in any order) and the
 * checkpoints, recompute every hash, follow every link and check every
 * checkpoint, and name the first problem: by writer, then by chain_seq.
 */
import type { JsonValue } from '../envelope/canonical-json';
import { chainHash } from './chain-hash';
import { readChainColumns } from './chain-table';
import { type Checkpoint, type CheckpointSignerResolver, checkpointSignatureProblem } from './checkpoint';

/** What can be wrong with a chain. */
export type ChainProblemKind =
  'hash-mismatch' | 'broken-link' | 'gap' | 'bad-checkpoint' | 'checkpoint-mismatch' | 'unknown-signer';

/** The first problem found, and where. */
export interface ChainProblem {
  readonly kind: ChainProblemKind;
  /** The row's `seq`, when the problem is at a row. */
  readonly seq?: number;
  /** The checkpoint's `id`, when the problem is at a checkpoint. */
  readonly checkpointId?: number;
  readonly writer: string;
  /** The chain_seq at fault (for a gap: the first one missing). */
  readonly chainSeq?: number;
  /** What is wrong, for a person. */
  readonly message: string;
}

/** The outcome of a verification: counts when everything holds, else the first problem. */
export type VerificationReport =
  | { readonly ok: true; readonly records: number; readonly chains: number; readonly checkpoints: number }
  | { readonly ok: false; readonly problem: ChainProblem };

/** A point a chain is known to continue from: its last record before the rows verified. */
export interface ChainStart {
  readonly chainSeq: number;
  /** Hash of that record; `null` with chainSeq 0 (the chain's very start). */
  readonly hash: string | null;
}

/** Options of {@link verifyChainRows}. */
export interface VerifyChainOptions {
  /** The table codec's `content` (see `ChainTable.content`). */
  content(row: Record<string, unknown>): JsonValue;
  /** Finds a checkpoint signer's public key by certificate thumbprint. */
  resolveSigner: CheckpointSignerResolver;
  /**
   * Where chains continue from when their start was archived (retention):
   * the first row must follow on from it.
   * @defaultValue none: each chain starts at chain_seq 1
   */
  startAfter?: ReadonlyMap<string, ChainStart>;
  /**
   * True when the rows are a time range rather than the whole log: a chain
   * without `startAfter` starts from its first row's prev_hash (trusted as far
   * as a later checkpoint covers it), and checkpoints beyond its last row are
   * not required to match a row.
   * @defaultValue false
   */
  partial?: boolean;
}

/**
 * Walks one chain at a time, row by row, so a stored log can be verified page
 * by page (see `verifyStoredChain`) and an evidence bundle segment by segment.
 */
export class ChainVerifier {
  /** Rows verified so far. */
  records = 0;
  /** Chains with at least one row verified so far. */
  chains = 0;
  /** Checkpoints verified so far. */
  checkpoints = 0;

  private writer = '';
  private expected = 1;
  private prevHash: string | null = null;
  private fromFirstRow = false;
  private pending: Checkpoint[] = [];
  private lastChainSeq: number | undefined;
  private covered: number | undefined;

  constructor(private readonly options: Pick<VerifyChainOptions, 'content' | 'resolveSigner'>) {}

  /**
   * Begins the chain of `writer` with its checkpoints (any order).
   *
   * @param start - where the chain continues from; `'first-row'` trusts the
   *   first row's chain_seq and prev_hash; default: the chain's very start.
   */
  begin(writer: string, checkpoints: readonly Checkpoint[], start: ChainStart | 'first-row' = ZERO): void {
    this.writer = writer;
    this.lastChainSeq = undefined;
    this.covered = undefined;
    this.fromFirstRow = start === 'first-row';
    const after = start === 'first-row' ? 0 : start.chainSeq;
    if (start !== 'first-row') {
      this.expected = start.chainSeq + 1;
      this.prevHash = start.hash;
    }
    // Checkpoints over an archived prefix were checked when it was archived.
    this.pending = checkpoints
      .filter((c) => c.chainSeq > after)
      .sort((a, b) => a.chainSeq - b.chainSeq || a.id - b.id);
  }

  /** Verifies the next row of the chain (rows in chain_seq order); the problem, if any. */
  row(row: Record<string, unknown>): ChainProblem | undefined {
    let link;
    try {
      link = readChainColumns(row);
    } catch (error) {
      return this.problem('hash-mismatch', (error as Error).message, { seq: Number(row.seq) || undefined });
    }
    const at = { seq: link.seq, chainSeq: link.chainSeq };
    if (this.fromFirstRow) {
      this.fromFirstRow = false;
      this.expected = link.chainSeq;
      this.prevHash = link.prevHash;
      // A checkpoint before the range covers nothing read here.
      this.pending = this.pending.filter((c) => c.chainSeq >= link.chainSeq);
    }
    if (link.writer !== this.writer) {
      return this.problem(
        'broken-link',
        `Row of writer ${link.writer} inside the chain of ${this.writer}`,
        at,
      );
    }
    if (link.chainSeq !== this.expected) {
      const message =
        link.chainSeq > this.expected
          ? `Records ${this.expected}..${link.chainSeq - 1} of the chain are missing before seq ${link.seq}`
          : `chain_seq ${link.chainSeq} repeats or goes back (expected ${this.expected})`;
      return this.problem('gap', message, { seq: link.seq, chainSeq: this.expected });
    }
    if (link.prevHash !== this.prevHash) {
      return this.problem(
        'broken-link',
        `prev_hash of seq ${link.seq} is not the hash of the record before it`,
        at,
      );
    }
    let hash: string;
    try {
      hash = chainHash(link, this.options.content(row));
    } catch (error) {
      return this.problem(
        'hash-mismatch',
        `Content of seq ${link.seq} cannot be read: ${(error as Error).message}`,
        at,
      );
    }
    if (hash !== link.hash) {
      return this.problem(
        'hash-mismatch',
        `seq ${link.seq} does not match its hash: the record was altered`,
        at,
      );
    }
    if (this.lastChainSeq === undefined) this.chains += 1;
    this.records += 1;
    this.expected = link.chainSeq + 1;
    this.prevHash = link.hash;
    this.lastChainSeq = link.chainSeq;
    while (this.pending[0] !== undefined && this.pending[0].chainSeq === link.chainSeq) {
      const problem = this.checkpoint(this.pending[0], link.hash);
      if (problem !== undefined) return problem;
      this.pending.shift();
    }
    return undefined;
  }

  /**
   * Ends the chain; with `strict`, a checkpoint beyond its last row (records
   * deleted from the end of the chain) is a problem.
   */
  end(strict: boolean): ChainProblem | undefined {
    const beyond = this.pending[0];
    if (strict && beyond !== undefined) {
      const last = this.lastChainSeq ?? this.expected - 1;
      return this.problem(
        'checkpoint-mismatch',
        `Checkpoint ${beyond.id} covers chain_seq ${beyond.chainSeq}, but the chain ends at ${last}: records were removed`,
        { checkpointId: beyond.id, chainSeq: beyond.chainSeq },
      );
    }
    return undefined;
  }

  /** chain_seq of the last row a verified checkpoint covers, in the current chain. */
  get coveredUpTo(): number | undefined {
    return this.covered;
  }

  /** chain_seq of the last row verified in the current chain. */
  get lastRow(): number | undefined {
    return this.lastChainSeq;
  }

  private checkpoint(checkpoint: Checkpoint, rowHash: string): ChainProblem | undefined {
    const at = { checkpointId: checkpoint.id, chainSeq: checkpoint.chainSeq };
    if (checkpoint.writer !== this.writer) {
      return this.problem('bad-checkpoint', `Checkpoint ${checkpoint.id} is of another writer`, at);
    }
    const signature = checkpointSignatureProblem(checkpoint, this.options.resolveSigner);
    if (signature !== undefined) {
      return this.problem(signature.kind, `Checkpoint ${checkpoint.id}: ${signature.message}`, at);
    }
    if (checkpoint.count !== checkpoint.chainSeq) {
      return this.problem(
        'bad-checkpoint',
        `Checkpoint ${checkpoint.id} counts ${checkpoint.count} records at chain_seq ${checkpoint.chainSeq}`,
        at,
      );
    }
    if (checkpoint.headHash !== rowHash) {
      return this.problem(
        'checkpoint-mismatch',
        `Checkpoint ${checkpoint.id} signed another head at chain_seq ${checkpoint.chainSeq}: the chain was rewritten`,
        at,
      );
    }
    this.checkpoints += 1;
    this.covered = checkpoint.chainSeq;
    return undefined;
  }

  private problem(
    kind: ChainProblemKind,
    message: string,
    where: { seq?: number | undefined; chainSeq?: number; checkpointId?: number },
  ): ChainProblem {
    return { kind, writer: this.writer, message, ...definedOnly(where) };
  }
}

const ZERO: ChainStart = { chainSeq: 0, hash: null };

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * Verifies the chains in `rows` (stored rows with their chain columns, any
 * order) against `checkpoints`: every hash, every link, no gaps, every
 * checkpoint signed and matching its head. Reports the first problem, by
 * writer, then by chain_seq.
 */
export function verifyChainRows(
  rows: readonly Record<string, unknown>[],
  checkpoints: readonly Checkpoint[],
  options: VerifyChainOptions,
): VerificationReport {
  const byWriter = new Map<string, { rows: Record<string, unknown>[]; checkpoints: Checkpoint[] }>();
  const chainOf = (writer: string) => {
    let chain = byWriter.get(writer);
    if (chain === undefined) byWriter.set(writer, (chain = { rows: [], checkpoints: [] }));
    return chain;
  };
  for (const row of rows) chainOf(String(row.writer)).rows.push(row);
  for (const checkpoint of checkpoints) chainOf(checkpoint.writer).checkpoints.push(checkpoint);

  const verifier = new ChainVerifier(options);
  for (const writer of [...byWriter.keys()].sort()) {
    const chain = chainOf(writer);
    const start = options.startAfter?.get(writer) ?? (options.partial === true ? 'first-row' : undefined);
    verifier.begin(writer, chain.checkpoints, start);
    chain.rows.sort((a, b) => Number(a.chain_seq) - Number(b.chain_seq));
    for (const row of chain.rows) {
      const problem = verifier.row(row);
      if (problem !== undefined) return { ok: false, problem };
    }
    const problem = verifier.end(options.partial !== true);
    if (problem !== undefined) return { ok: false, problem };
  }
  return { ok: true, records: verifier.records, chains: verifier.chains, checkpoints: verifier.checkpoints };
}
