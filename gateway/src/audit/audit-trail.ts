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
  type SqlExecutor,
  type SqlStore,
} from '../../../core/src';
import type { GatewayConfig } from '../config';
import type { GatewayTrust } from '../trust/gateway-trust';
import { AUDIT_TABLE, type StoredAuditEntry } from './audit-table';

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
 * gateway process), with signed checkpoints over the chain's head. Appends
 * resolve once the record is committed, so a caller that goes on knows its
 * record is stored; concurrent appends share one transaction. Nothing here
 * updates or deletes a record.
 */
export class AuditTrail {
  readonly writer: string;
  private readonly chain: ChainWriter<StoredAuditEntry>;
  private readonly subjectSecret: Uint8Array;

  constructor(options: AuditTrailOptions) {
    this.writer = options.writer ?? writerId();
    this.subjectSecret = options.subjectSecret;
    this.chain = new ChainWriter({
      store: options.store,
      table: AUDIT_TABLE,
      writer: this.writer,
      signer: options.signer,
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
    await this.chain.append(this.stored(entry));
  }

  /**
   * Runs `fn` in one transaction whose records (appended with `record`, or
   * `tx.record`) commit or roll back with its changes. Records appended with
   * {@link AuditTrail.record} meanwhile wait until it ends, so never await
   * them inside `fn`.
   */
  async transaction<T>(fn: (tx: AuditedTransaction, record: RecordInTransaction) => Promise<T>): Promise<T> {
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

  /** Signs the chain's head now, when it moved since the last checkpoint. */
  checkpoint(): Promise<Checkpoint | undefined> {
    return this.chain.checkpoint();
  }

  /** Starts signing checkpoints on the interval. */
  start(): void {
    this.chain.start();
  }

  /** Signs a last checkpoint and stops the interval; call before closing the store. */
  close(): Promise<void> {
    return this.chain.close();
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
    subjectSecret: trust.auditSubjectSecret,
    checkpointIntervalMs: config.audit.checkpointIntervalSeconds * 1000,
    ...options,
  });
}
