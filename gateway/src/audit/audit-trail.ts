import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import {
  ChainWriter,
  type AppendObserver,
  subjectHash,
  type Checkpoint,
  type JsonValue,
  type JwsSigner,
  type Logger,
  type NoteSigner,
  StoredTree,
  type TreeHead,
  type SqlExecutor,
  type SqlStore,
} from '../../../core/src';
import { OrtooError } from '../../../core/src';
import type { GatewayConfig } from '../config';
import type { GatewayTrust } from '../trust/gateway-trust';
import { AUDIT_TABLE, AUDIT_TABLE_NAME, type StoredAuditEntry } from './audit-table';
import { WRITER_CLOSED, WRITER_OPENED, signWriterStatement } from './writer-statement';

/** The table that numbers the audit log's leaves (see migration 0002). */
export const AUDIT_SEQUENCER = 'audit_log_sequencer';

export type { AuditOutcome } from './audit-table';

/**
 * One audit record, as the gateway's code hands it over: the stored facts
 * (see {@link StoredAuditEntry}), except that the data subject comes in clear
 * and is stored only as its keyed hash ({@link AuditTrail.subjectHash}), and
 * `detail` (ids and names for the auditor, never payloads or secrets) may be left out.
 */
export interface AuditEntry extends Omit<StoredAuditEntry, 'subjectHash' | 'detail'> {
  /** The data subject's identifier, in clear, where the service declares one. */
  dataSubject?: string;
  detail?: Record<string, unknown>;
}

/** Appends one record as part of an {@link AuditTrail.transaction}. */
export type RecordInTransaction = (entry: AuditEntry) => Promise<void>;

/** A transaction's executor that also records to the audit log as part of the same transaction. */
export interface AuditedTransaction extends SqlExecutor {
  readonly record: RecordInTransaction;
}

/** Options of {@link AuditTrail}. */
export interface AuditTrailOptions {
  store: SqlStore;
  /** Signs the checkpoints (the gateway's `audit-signing` key). */
  signer: JwsSigner;
  /** Signs tree heads and the writer's opening and closing records (the log's Ed25519 key). */
  logSigner: NoteSigner;
  /** Key of the data subjects' HMAC (`audit-subject.secret`). */
  subjectSecret: Uint8Array;
  /** @defaultValue the real clock */
  clock?: () => Date;
  /** @defaultValue 10 000 ms */
  checkpointIntervalMs?: number;
  /** @defaultValue a fresh {@link writerId} */
  writer?: string;
  logger?: Logger;
  /** Told how long each append took to commit (or fail): the append-latency metric. */
  onAppend?: AppendObserver;
}

/** A writer id unique to this process: `gateway:<host>:<pid>:<random>`. */
export function writerId(role = 'gateway'): string {
  return `${role}:${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

/**
 * The gateway's audit log: append-only and hash-chained (one chain per
 * gateway process), every record of every process a leaf of one Merkle tree
 * whose signed heads witnesses cosign, with signed checkpoints over the chain's head. Appends
 * resolve once the record is committed, so a caller that goes on knows its
 * record is stored; concurrent appends share one transaction. Nothing here
 * updates or deletes a record.
 */
export class AuditTrail {
  readonly writer: string;
  /** The log's Merkle tree, which every gateway process extends and signs. */
  readonly tree: StoredTree;
  private readonly chain: ChainWriter<StoredAuditEntry>;
  private readonly subjectSecret: Uint8Array;
  private readonly logSigner: NoteSigner;
  private readonly logger: Logger | undefined;
  private readonly interval: number;
  private timer: NodeJS.Timeout | undefined;
  private opened: Promise<void> | undefined;
  private closing: Promise<void> | undefined;

  constructor(options: AuditTrailOptions) {
    this.writer = options.writer ?? writerId();
    this.subjectSecret = options.subjectSecret;
    this.logSigner = options.logSigner;
    this.logger = options.logger;
    this.interval = options.checkpointIntervalMs ?? 10_000;
    this.tree = new StoredTree({
      store: options.store,
      table: AUDIT_TABLE_NAME,
      origin: options.logSigner.name,
      signer: options.logSigner,
      ...(options.clock === undefined ? {} : { clock: options.clock }),
    });
    this.chain = new ChainWriter({
      store: options.store,
      table: AUDIT_TABLE,
      writer: this.writer,
      signer: options.signer,
      sequencer: AUDIT_SEQUENCER,
      ...(options.clock === undefined ? {} : { clock: options.clock }),
      ...(options.checkpointIntervalMs === undefined
        ? {}
        : { checkpointIntervalMs: options.checkpointIntervalMs }),
      ...(options.logger === undefined ? {} : { logger: options.logger }),
      ...(options.onAppend === undefined ? {} : { onAppend: options.onAppend }),
    });
  }

  /**
   * Appends one record, durably, before resolving.
   *
   * @throws OrtooError `AuditUnavailable` when it could not be stored.
   */
  async record(entry: AuditEntry): Promise<void> {
    await this.open();
    await this.chain.append(this.stored(entry));
  }

  /**
   * Runs `fn` in one transaction whose records (appended with `record`, or
   * `tx.record`) commit or roll back with its changes. Records appended with
   * {@link AuditTrail.record} meanwhile wait until it ends, so never await
   * them inside `fn`.
   */
  async transaction<T>(fn: (tx: AuditedTransaction, record: RecordInTransaction) => Promise<T>): Promise<T> {
    await this.open();
    return this.chain.transaction(async (tx, append) => {
      const record: RecordInTransaction = (entry) => append(this.stored(entry));
      const audited: AuditedTransaction = {
        query: <R>(sql: string, params?: readonly unknown[]) => tx.query<R>(sql, params),
        exec: (sql) => tx.exec(sql),
        record,
      };
      return fn(audited, record);
    });
  }

  /** The keyed hash a data subject's identifier is stored and searched as. */
  subjectHash(identifier: string): string {
    return subjectHash(this.subjectSecret, identifier);
  }

  /**
   * Signs the chain's head now, when it moved since the last checkpoint, and
   * extends the log's tree to every committed record, signing its head.
   *
   * @returns the chain checkpoint, if one was signed.
   */
  async checkpoint(): Promise<Checkpoint | undefined> {
    const checkpoint = await this.chain.checkpoint();
    await this.extendTree();
    return checkpoint;
  }

  /** Extends the tree and signs its head (when it grew); the new head, if any. */
  extendTree(): Promise<TreeHead | undefined> {
    return this.tree.extend().catch((error: unknown) => {
      throw new OrtooError('AuditUnavailable', 'The audit log tree cannot be extended', { cause: error });
    });
  }

  /** Starts signing checkpoints and tree heads on the interval; the timer never keeps the process alive. */
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
   * Closes this writer's chain with its signed closing record (when it wrote
   * anything), signs a last checkpoint and tree head, and stops the
   * interval; call before closing the store. Nothing may follow the closing record.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      clearInterval(this.timer);
      this.timer = undefined;
      if (this.opened !== undefined) {
        try {
          await this.opened;
          await this.chain.append({
            event: WRITER_CLOSED,
            outcome: 'ok',
            detail: {
              writer: this.writer,
              signature: signWriterStatement('closed', this.writer, this.logSigner),
            },
          });
        } catch (error) {
          // The chain still closes: its records stay verifiable, only the closing statement is missing.
          this.logger?.warn('audit writer closing record failed', { writer: this.writer, error });
        }
      }
      await this.chain.close();
      await this.extendTree().catch((error: unknown) =>
        this.logger?.warn('audit tree head on close failed', { writer: this.writer, error }),
      );
    })();
    return this.closing;
  }

  /** Writes the signed opening record before this writer's first record (again after a failed try). */
  private open(): Promise<void> {
    this.opened ??= this.chain
      .append({
        event: WRITER_OPENED,
        outcome: 'ok',
        detail: {
          writer: this.writer,
          signature: signWriterStatement('opened', this.writer, this.logSigner),
        },
      })
      .then(
        () => undefined,
        (error: unknown) => {
          this.opened = undefined;
          throw error;
        },
      );
    return this.opened;
  }

  private stored(entry: AuditEntry): StoredAuditEntry {
    const { dataSubject, detail, ...facts } = entry;
    return {
      ...facts,
      ...(dataSubject === undefined ? {} : { subjectHash: this.subjectHash(dataSubject) }),
      // What the jsonb column gives back: undefined values dropped, Dates as strings.
      detail: JSON.parse(JSON.stringify(detail ?? {})) as { [key: string]: JsonValue },
    };
  }
}

/**
 * The audit trail of a gateway process: signed with its audit-signing key,
 * subjects hashed with its instance secret, checkpoints on the configured
 * interval once {@link AuditTrail.start} is called.
 */
export function createAuditTrail(
  store: SqlStore,
  trust: GatewayTrust,
  config: Pick<GatewayConfig, 'audit'>,
  options: Pick<AuditTrailOptions, 'clock' | 'logger' | 'writer' | 'onAppend'> = {},
): AuditTrail {
  return new AuditTrail({
    store,
    signer: trust.auditSigner,
    logSigner: trust.auditLogSigner,
    subjectSecret: trust.auditSubjectSecret,
    checkpointIntervalMs: config.audit.checkpointIntervalSeconds * 1000,
    ...options,
  });
}
