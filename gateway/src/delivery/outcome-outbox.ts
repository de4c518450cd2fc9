import { randomUUID } from 'node:crypto';
import type { Logger } from '../../../core/src';
import type { AuditEntry } from '../audit/audit-trail';
import { whenReady, type RedisConnection } from '../redis';

/** Where an outcome goes: the gateway's audit trail (only its `record`). */
export interface OutcomeRecorder {
  record(entry: AuditEntry): Promise<void>;
}

/** Options of {@link OutcomeOutbox}. */
export interface OutcomeOutboxOptions {
  /** A fail-fast connection (the queues'); the caller owns it. */
  readonly redis: RedisConnection;
  /** The gateway's key prefix: the outbox is `<queuePrefix>:outcome-outbox`. */
  readonly queuePrefix: string;
  readonly audit: OutcomeRecorder;
  readonly logger: Logger;
  /**
   * How often the outbox is looked at (one `LLEN`) and, when it holds
   * records, written to the audit trail.
   * @defaultValue 1000
   */
  readonly intervalMs?: number;
  /** Told the outbox's length after each look: the depth metric. */
  readonly onDepth?: (depth: number) => void;
}

/** One outcome kept in the outbox. */
interface KeptOutcome {
  /** Makes each item's text unique, so a written one is removed alone (`LREM`). */
  readonly key: string;
  /** When the outcome happened (the record itself is stamped when it is written). */
  readonly occurredAt: string;
  readonly entry: AuditEntry;
}

/** Records written per round trip of a drain. */
const BATCH = 100;
/** How long one process holds the drain: past it, another may drain (a record may then be written twice). */
const DRAIN_LOCK_MS = 30_000;
/** Releases the drain lock only if this process still holds it. */
const RELEASE_LOCK = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/**
 * Delivery outcomes (`delivered`, `retrying`, `dead-lettered`) on their way
 * to the audit trail. An outcome is written to the trail at once; when the
 * trail cannot take it (its database is down), it is kept in a Redis list
 * (durable with the append-only persistence the queues already need) and
 * written by whichever gateway or worker process drains the list next, once
 * the database is back, marked `detail.recordedLate` with the time it
 * happened (`detail.occurredAt`).
 *
 * So a delivery never waits on the database, and is never repeated to get
 * its outcome on record. One process drains at a time (a Redis lock); a
 * process that dies after writing a batch and before removing it from the
 * list leaves those records to be written again: an outcome is on record at
 * least once.
 */
export class OutcomeOutbox {
  readonly #options: OutcomeOutboxOptions;
  readonly #key: string;
  readonly #lockKey: string;
  #timer: NodeJS.Timeout | undefined;
  #draining: Promise<number> | undefined;

  constructor(options: OutcomeOutboxOptions) {
    this.#options = options;
    this.#key = `${options.queuePrefix}:outcome-outbox`;
    this.#lockKey = `${this.#key}:lock`;
  }

  /**
   * Records an outcome: in the audit trail, or else in the outbox.
   *
   * @returns true when it is on record or kept for later; false when
   *   neither store took it (logged), e.g. both the database and Redis are down.
   */
  async record(entry: AuditEntry): Promise<boolean> {
    const { audit, redis, logger } = this.#options;
    try {
      await audit.record(entry);
      return true;
    } catch (error) {
      const kept: KeptOutcome = { key: randomUUID(), occurredAt: new Date().toISOString(), entry };
      try {
        await whenReady(redis);
        await redis.rpush(this.#key, JSON.stringify(kept));
        logger.warn('outcome kept for the audit trail', {
          messageId: entry.messageId,
          event: entry.event,
          error: String(error),
        });
        return true;
      } catch (keepError) {
        logger.error('outcome not recorded', {
          messageId: entry.messageId,
          event: entry.event,
          error: String(error),
          keepError: String(keepError),
        });
        return false;
      }
    }
  }

  /** Starts looking at the outbox every interval; the timer never keeps the process alive. */
  start(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => {
      this.drain().catch((error: unknown) =>
        this.#options.logger.warn('outcome outbox not drained', { error: String(error) }),
      );
    }, this.#options.intervalMs ?? 1000);
    this.#timer.unref();
  }

  /** Stops looking; a drain under way finishes. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#draining?.catch(() => undefined);
  }

  /**
   * Writes what the outbox holds to the audit trail, oldest first, until it
   * is empty or the trail refuses. One drain at a time per process.
   *
   * @returns how many records were written.
   */
  drain(): Promise<number> {
    this.#draining ??= this.#drain().finally(() => {
      this.#draining = undefined;
    });
    return this.#draining;
  }

  async #drain(): Promise<number> {
    const { redis, onDepth } = this.#options;
    await whenReady(redis);
    const depth = await redis.llen(this.#key);
    onDepth?.(depth);
    if (depth === 0) return 0;
    const token = randomUUID();
    if ((await redis.set(this.#lockKey, token, 'PX', DRAIN_LOCK_MS, 'NX')) !== 'OK') return 0;
    let written = 0;
    try {
      for (;;) {
        const batch = await redis.lrange(this.#key, 0, BATCH - 1);
        if (batch.length === 0) break;
        const results = await Promise.allSettled(batch.map((text) => this.#write(text)));
        const done = batch.filter((_, i) => results[i]?.status === 'fulfilled');
        if (done.length > 0) {
          const removal = redis.multi();
          for (const text of done) removal.lrem(this.#key, 1, text);
          await removal.exec();
        }
        written += done.length;
        // The trail refused some: the database is still away; the next look tries again.
        if (done.length < batch.length) break;
      }
    } finally {
      await redis.eval(RELEASE_LOCK, 1, this.#lockKey, token).catch(() => undefined);
      onDepth?.(await redis.llen(this.#key).catch(() => depth - written));
    }
    if (written > 0) this.#options.logger.info('kept outcomes recorded', { count: written });
    return written;
  }

  /** Writes one kept outcome; an item that is not one (it cannot be) is dropped, and logged. */
  async #write(text: string): Promise<void> {
    let kept: KeptOutcome;
    try {
      kept = JSON.parse(text) as KeptOutcome;
    } catch {
      this.#options.logger.error('outcome outbox item dropped: not JSON', { item: text.slice(0, 100) });
      return;
    }
    const { entry, occurredAt } = kept;
    await this.#options.audit.record({
      ...entry,
      detail: { ...entry.detail, recordedLate: true, occurredAt },
    });
  }
}
