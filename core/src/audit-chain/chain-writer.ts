/**
 * The writer of one chain: appends records to a chained table with group
 * commit, runs caller transactions that append, and signs checkpoints.
 */
import type { JwsSigner } from '../envelope/jws';
import { OrtooError } from '../errors';
import type { Logger } from '../observability/logger';
import { sqlStateOf } from '../store/database-error';
import type { SqlExecutor, SqlStore } from '../store/sql-store';
import { canonicalJson } from '../envelope/canonical-json';
import { chainHashOfCanonical } from './chain-hash';
import { type ChainTable, type ChainedRow, asStored, checkIdentifier } from './chain-table';
import { type Checkpoint, signCheckpoint } from './checkpoint';
import type { ChainStart } from './verify-chain';

/** Default of {@link ChainWriterOptions.checkpointIntervalMs}. */
export const DEFAULT_CHECKPOINT_INTERVAL_MS = 10_000;

/** Default of {@link ChainWriterOptions.maxBatch}. */
export const DEFAULT_MAX_BATCH = 1_000;

/** Options of {@link ChainWriter}. */
export interface ChainWriterOptions<E> {
  /** Where the table lives. */
  store: SqlStore;
  /** The chained table and its codec. */
  table: ChainTable<E>;
  /**
   * This chain's writer id, unique to the process (e.g.
   * `gateway:<hostname>:<pid>:<random>`): two writers never share a chain.
   */
  writer: string;
  /** Signs checkpoints. */
  signer: JwsSigner;
  /**
   * The time records and checkpoints carry.
   * @defaultValue `() => new Date()`
   */
  clock?: () => Date;
  /**
   * How often {@link ChainWriter.start}'s timer signs a checkpoint (when the head moved).
   * @defaultValue {@link DEFAULT_CHECKPOINT_INTERVAL_MS}
   */
  checkpointIntervalMs?: number;
  /**
   * Most records one group commit inserts.
   * @defaultValue {@link DEFAULT_MAX_BATCH}
   */
  maxBatch?: number;
  /**
   * Where failed timer checkpoints are reported.
   * @defaultValue none
   */
  logger?: Logger;
  /**
   * Told of every {@link ChainWriter.append} once it settles: how long it
   * took, from the call to its group commit (the wait for the batch
   * included), and whether it was committed. Appends made inside a
   * {@link ChainWriter.transaction} are not reported. Must not throw.
   * @defaultValue none
   */
  onAppend?: AppendObserver;
  /**
   * The one-row table (`size bigint`) that numbers every record of the table,
   * across all writers, in commit order: each insert takes the next `size`
   * values as the records' `leaf_index` under that row's lock, so the leaves
   * of the log's Merkle tree have no gaps and appear in the order they commit.
   * @defaultValue none: the table has no `leaf_index`
   */
  sequencer?: string;
}

/** See {@link ChainWriterOptions.onAppend}. */
export type AppendObserver = (seconds: number, committed: boolean) => void;

/** An append waiting for its group commit. */
interface Pending {
  readonly columns: Record<string, unknown>;
  /** Canonical JSON text of the record's content. */
  readonly content: string;
  readonly at: Date;
  /** `performance.now()` when it was appended, for {@link ChainWriterOptions.onAppend}. */
  readonly started: number;
  resolve(row: ChainedRow): void;
  reject(error: unknown): void;
}

/** A record with its chain columns, ready to insert. */
interface Prepared {
  readonly columns: Record<string, unknown>;
  readonly link: Omit<ChainedRow, 'seq'>;
}

/**
 * Appends to one writer's chain in a chained table. All work on the chain
 * (group commits, {@link ChainWriter.transaction}, checkpoints) runs one at a
 * time, so the head in memory is always the head in the database; appends
 * that arrive while one commit runs go together into the next.
 */
export class ChainWriter<E> {
  private readonly store: SqlStore;
  private readonly table: ChainTable<E>;
  private readonly writer: string;
  private readonly signer: JwsSigner;
  private readonly clock: () => Date;
  private readonly interval: number;
  private readonly maxBatch: number;
  private readonly logger: Logger | undefined;
  private readonly onAppend: AppendObserver | undefined;
  private readonly checkpointTable: string;
  /** `undefined` until read, and again after a failure whose outcome is unknown (a lost COMMIT answer). */
  private head: ChainStart | undefined;
  private checkpointed = 0;
  private readonly queue: Pending[] = [];
  private draining = false;
  private lane: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private closing: Promise<void> | undefined;
  private readonly knownColumns = new Set<string>();
  private readonly sequencer: string | undefined;

  constructor(options: ChainWriterOptions<E>) {
    this.store = options.store;
    this.table = options.table;
    this.writer = options.writer;
    this.signer = options.signer;
    this.clock = options.clock ?? (() => new Date());
    this.interval = options.checkpointIntervalMs ?? DEFAULT_CHECKPOINT_INTERVAL_MS;
    this.maxBatch = options.maxBatch ?? DEFAULT_MAX_BATCH;
    this.logger = options.logger;
    this.onAppend = options.onAppend;
    checkIdentifier(options.table.table);
    this.checkpointTable = checkIdentifier(`${options.table.table}_checkpoints`);
    this.sequencer = options.sequencer === undefined ? undefined : checkIdentifier(options.sequencer);
  }

  /**
   * Appends one record and resolves once it is committed, grouped with the
   * appends that arrive meanwhile into one transaction.
   *
   * @throws OrtooError `AuditUnavailable` when the batch could not be stored
   *   (every caller of that batch gets it; the chain head does not move) or
   *   the writer is closed; `BadRequest` when the entry cannot be hashed.
   */
  append(entry: E): Promise<ChainedRow> {
    if (this.closing !== undefined) {
      return Promise.reject(new OrtooError('AuditUnavailable', 'Audit chain writer is closed'));
    }
    let columns: Record<string, unknown>;
    let content: Pending['content'];
    try {
      columns = this.table.columns(entry);
      content = canonicalJson(this.table.content(asStored(columns)));
    } catch (error) {
      return Promise.reject(error);
    }
    const at = this.clock();
    const started = performance.now();
    return new Promise<ChainedRow>((resolve, reject) => {
      this.queue.push({ columns, content, at, started, resolve, reject });
      if (!this.draining) {
        this.draining = true;
        // Wait a turn of the event loop, so appends made together commit together.
        setImmediate(() => void this.drain());
      }
    });
  }

  /**
   * Runs `fn` in one store transaction, exclusive on this chain: the records
   * it appends through `append` commit or roll back with its own changes. Use
   * only `tx` and `append` inside (this writer's own `append` would wait for
   * `fn` to end, and so never return).
   *
   * @throws whatever `fn` throws; OrtooError `AuditUnavailable` when a record
   *   cannot be stored, `DatabaseError` when the transaction cannot commit.
   */
  transaction<T>(fn: (tx: SqlExecutor, append: (entry: E) => Promise<void>) => Promise<T>): Promise<T> {
    if (this.closing !== undefined) {
      return Promise.reject(new OrtooError('AuditUnavailable', 'Audit chain writer is closed'));
    }
    return this.exclusive(async () => {
      const start = await this.currentHead();
      let head = start;
      try {
        const result = await this.store.transaction(async (tx) => {
          // The records go in with one insert at the end, so the sequencer's row is locked only that long.
          const records: Prepared[] = [];
          const value = await fn(tx, async (entry) => {
            const columns = this.table.columns(entry);
            const content = canonicalJson(this.table.content(asStored(columns)));
            const prepared = this.link(columns, content, this.clock(), head);
            head = { chainSeq: prepared.link.chainSeq, hash: prepared.link.hash };
            records.push(prepared);
            return Promise.resolve();
          });
          if (records.length > 0) {
            await this.insert(tx, records).catch((error: unknown) => {
              throw unavailable(error);
            });
          }
          return value;
        });
        this.head = head;
        return result;
      } catch (error) {
        this.head = undefined;
        throw error;
      }
    });
  }

  /**
   * Signs the head of the chain and stores the checkpoint; does nothing when
   * the head has not moved since the last one.
   *
   * @returns the new checkpoint, or `undefined` when there was nothing to sign.
   * @throws OrtooError `AuditUnavailable` when it cannot be stored.
   */
  checkpoint(): Promise<Checkpoint | undefined> {
    return this.exclusive(async () => {
      try {
        const head = await this.currentHead();
        if (head.hash === null || head.chainSeq <= this.checkpointed) return undefined;
        const signed = signCheckpoint(
          {
            writer: this.writer,
            chainSeq: head.chainSeq,
            headHash: head.hash,
            count: head.chainSeq,
            at: this.clock(),
          },
          this.signer,
        );
        const [row] = await this.store.query<{ id: number }>(
          `INSERT INTO ${this.checkpointTable} (writer, chain_seq, head_hash, record_count, at, signer, protected, signature)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
          [
            signed.writer,
            signed.chainSeq,
            signed.headHash,
            signed.count,
            signed.at,
            signed.signer,
            signed.protected,
            signed.signature,
          ],
        );
        this.checkpointed = head.chainSeq;
        return { id: row?.id ?? 0, ...signed };
      } catch (error) {
        throw unavailable(error);
      }
    });
  }

  /** Starts signing a checkpoint every `checkpointIntervalMs`; the timer never keeps the process alive. */
  start(): void {
    if (this.timer !== undefined || this.closing !== undefined) return;
    this.timer = setInterval(() => {
      this.checkpoint().catch((error: unknown) =>
        this.logger?.warn('audit checkpoint failed', { writer: this.writer, error }),
      );
    }, this.interval);
    this.timer.unref();
  }

  /**
   * Stops the timer, commits the appends still waiting, and signs a final
   * checkpoint. Appends after it are refused. Calling it again waits for the first call.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      clearInterval(this.timer);
      this.timer = undefined;
      while (this.queue.length > 0) await this.exclusive(() => this.commitBatch());
      await this.checkpoint();
    })();
    return this.closing;
  }

  /** Commits the queue, batch after batch, until it is empty. */
  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) await this.exclusive(() => this.commitBatch());
    } finally {
      this.draining = false;
    }
  }

  /** Inserts the next batch with one statement (one transaction) and settles its callers. */
  private async commitBatch(): Promise<void> {
    const batch = this.queue.splice(0, this.maxBatch);
    if (batch.length === 0) return;
    await this.commitRecords(batch);
  }

  /**
   * Commits `batch` in one insert. When the database refuses its data (a
   * string PostgreSQL cannot store, say), each half is tried again on its
   * own, so only the record at fault fails and the others are written.
   */
  private async commitRecords(batch: readonly Pending[]): Promise<void> {
    try {
      let head = await this.currentHead();
      const prepared = batch.map((pending) => {
        const record = this.link(pending.columns, pending.content, pending.at, head);
        head = { chainSeq: record.link.chainSeq, hash: record.link.hash };
        return record;
      });
      // One INSERT is atomic on its own: no BEGIN and COMMIT round trips on the hot path.
      const seqs = await this.insert(this.store, prepared);
      this.head = head;
      prepared.forEach((record, index) => {
        batch[index]?.resolve({ seq: seqs.get(record.link.chainSeq) ?? 0, ...record.link });
      });
      this.observe(batch, true);
    } catch (error) {
      this.head = undefined;
      if (batch.length > 1 && isDataError(error)) {
        const half = Math.ceil(batch.length / 2);
        await this.commitRecords(batch.slice(0, half));
        await this.commitRecords(batch.slice(half));
        return;
      }
      const failure = unavailable(error);
      for (const pending of batch) pending.reject(failure);
      this.observe(batch, false);
    }
  }

  /** Reports the appends of a settled batch to {@link ChainWriterOptions.onAppend}. */
  private observe(batch: readonly Pending[], committed: boolean): void {
    if (this.onAppend === undefined) return;
    const now = performance.now();
    try {
      for (const pending of batch) this.onAppend((now - pending.started) / 1000, committed);
    } catch (error) {
      this.logger?.warn('audit append observer failed', { writer: this.writer, error });
    }
  }

  /** The record after `head`, with its hash. */
  private link(columns: Record<string, unknown>, content: string, at: Date, head: ChainStart): Prepared {
    const link = { writer: this.writer, chainSeq: head.chainSeq + 1, at, prevHash: head.hash };
    return { columns, link: { ...link, hash: chainHashOfCanonical(link, content) } };
  }

  /**
   * Inserts records with one statement: the rows travel as one JSON array
   * that `json_populate_recordset` types by the table's own columns, so the
   * SQL text is the same for any batch size and any column set.
   *
   * @returns seq by chain_seq.
   */
  private async insert(tx: SqlExecutor, records: readonly Prepared[]): Promise<Map<number, number>> {
    const names = new Set<string>();
    const json = records.map(({ columns, link }) => {
      for (const name of Object.keys(columns)) names.add(this.column(name));
      return {
        ...columns,
        writer: link.writer,
        chain_seq: link.chainSeq,
        at: link.at,
        prev_hash: link.prevHash,
        hash: link.hash,
      };
    });
    const list = ['writer', 'chain_seq', 'at', 'prev_hash', 'hash', ...names].join(', ');
    const table = this.table.table;
    const rows = await tx.query<{ seq: number; chain_seq: number }>(
      this.sequencer === undefined
        ? `INSERT INTO ${table} (${list}) SELECT ${list} FROM json_populate_recordset(NULL::${table}, $1::json)
           RETURNING seq, chain_seq`
        : // The UPDATE locks the sequencer's row until this statement commits: leaf indexes follow commit order.
          `WITH numbered AS (UPDATE ${this.sequencer} SET size = size + $2 RETURNING size - $2 AS base)
           INSERT INTO ${table} (${list}, leaf_index)
           SELECT ${list}, numbered.base + r.ordinality - 1
           FROM numbered, json_populate_recordset(NULL::${table}, $1::json) WITH ORDINALITY AS r
           RETURNING seq, chain_seq`,
      this.sequencer === undefined ? [JSON.stringify(json)] : [JSON.stringify(json), records.length],
    );
    return new Map(rows.map((row) => [row.chain_seq, row.seq]));
  }

  private column(name: string): string {
    if (!this.knownColumns.has(name)) {
      checkIdentifier(name);
      if (['seq', 'writer', 'chain_seq', 'at', 'prev_hash', 'hash', 'leaf_index'].includes(name)) {
        throw new OrtooError('InvalidConfiguration', `Column ${name} is a chain column, set by the writer`);
      }
      this.knownColumns.add(name);
    }
    return name;
  }

  /** The head of the chain, read from the database when not known. */
  private async currentHead(): Promise<ChainStart> {
    if (this.head !== undefined) return this.head;
    const [last] = await this.store.query<{ chain_seq: number; hash: string }>(
      `SELECT chain_seq, hash FROM ${this.table.table} WHERE writer = $1 ORDER BY chain_seq DESC LIMIT 1`,
      [this.writer],
    );
    const [signed] = await this.store.query<{ chain_seq: number | null }>(
      `SELECT max(chain_seq) AS chain_seq FROM ${this.checkpointTable} WHERE writer = $1`,
      [this.writer],
    );
    this.checkpointed = signed?.chain_seq ?? 0;
    this.head =
      last === undefined ? { chainSeq: 0, hash: null } : { chainSeq: last.chain_seq, hash: last.hash };
    return this.head;
  }

  /** Runs `task` after every earlier task on this chain has settled. */
  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.lane.then(task);
    this.lane = run.catch(() => undefined);
    return run;
  }
}

/**
 * True when the database refused the data itself (SQLSTATE class 22, e.g.
 * 22P05 for a \u0000 or a lone surrogate; class 23, a constraint), not the
 * connection or the table: retrying without the record at fault can succeed.
 */
function isDataError(error: unknown): boolean {
  const state = sqlStateOf(error);
  return state !== undefined && (state.startsWith('22') || state.startsWith('23'));
}

function unavailable(error: unknown): OrtooError {
  if (error instanceof OrtooError && error.code === 'AuditUnavailable') return error;
  return new OrtooError('AuditUnavailable', 'The audit log cannot be written', { cause: error });
}
