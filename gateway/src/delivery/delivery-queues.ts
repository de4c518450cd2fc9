import { Queue, type Job, type JobsOptions } from 'bullmq';
import {
  ERROR_KINDS,
  OrtooError,
  isOrtooError,
  type Logger,
  type ResponseEnvelope,
  type SignedMessage,
} from '../../../core/src';
import { queueUnavailable, whenReady, type RedisConnection } from '../redis';
import {
  CALLBACK_JOB,
  DELIVER_JOB,
  decodeReason,
  jobIdOf,
  parseJobId,
  type CallbackJobData,
  type DeliveryJobData,
  type DeliveryJobName,
  type ExchangeStatus,
  type FailureReason,
} from './delivery-job';

/** The BullMQ queue name; the server id is in the key prefix, see {@link queueKeyPrefix}. */
export const DELIVERY_QUEUE = 'delivery';

/**
 * The key prefix of a server's queue: `<queuePrefix>:{<serverId>}`. The
 * braces are a Redis Cluster hash tag: all of one queue's keys hash to one
 * slot, as BullMQ's scripts need, while different servers' queues spread.
 */
export function queueKeyPrefix(queuePrefix: string, serverId: string): string {
  return `${queuePrefix}:{${serverId}}`;
}

/** A delivered message's answer and the attempts it took, as {@link DeliveryQueues.keepAnswer} keeps it. */
export interface DeliveredOutcome {
  readonly attempts: number;
  readonly answer: SignedMessage<ResponseEnvelope>;
}

/** Retries of a delivery, from its service's retry policy. */
export interface RetryPolicy {
  /** Attempts in all, the first one included. */
  readonly maxAttempts: number;
  /** Delay before the first retry; each later one doubles it, less up to half at random. */
  readonly backoffMs: number;
}

/** A message given up on, as the admin API shows it: who and what, never the body. */
export interface DeadLetter {
  /** The message id. */
  id: string;
  /** `deliver` (to the provider) or `callback` (the answer, to the consumer's server). */
  kind: DeliveryJobName;
  /** The queue it is on: the provider's server, or the consumer's for a callback. */
  serverId: string;
  client: string;
  service: string;
  failedAt: string;
  attempts: number;
  reason: FailureReason;
}

/** Jobs of one server's queue, by state. */
export interface QueueDepth {
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
}

/** Options of {@link DeliveryQueues}. */
export interface DeliveryQueuesOptions {
  /**
   * A `queue` connection ({@link createRedisConnection}): commands fail fast
   * when Redis is away. The caller owns it: {@link DeliveryQueues.close}
   * leaves it open.
   */
  readonly connection: RedisConnection;
  /** Prefix of every key, e.g. `ortoo`. */
  readonly queuePrefix: string;
  /** How long a delivered job, and so its answer, is kept. */
  readonly answerRetentionSeconds: number;
  /**
   * Retries of callbacks, which no service policy covers.
   * @defaultValue 5 attempts, 1000 ms backoff
   */
  readonly callbackPolicy?: RetryPolicy;
  /** @defaultValue none */
  readonly logger?: Logger;
}

/** @defaultValue {@link DeliveryQueuesOptions.callbackPolicy} */
export const DEFAULT_CALLBACK_POLICY: RetryPolicy = { maxAttempts: 5, backoffMs: 1000 };

/** Share of each backoff taken off at random, so retries after an outage do not come all at once. */
const BACKOFF_JITTER = 0.5;

/**
 * The wait before try `attempt + 1` of a message, as the queue's retries
 * have it: the policy's backoff doubled per try, less up to
 * {@link BACKOFF_JITTER} of it at random. For retries made outside the queue
 * (a sync message's, by its accepting gateway).
 */
export function retryDelayMs(policy: RetryPolicy, attempt: number): number {
  const full = policy.backoffMs * 2 ** (attempt - 1);
  return Math.round(full * (1 - Math.random() * BACKOFF_JITTER));
}

/** Events kept in each queue's stream: nothing here reads them, BullMQ writes them anyway. */
const EVENTS_KEPT = 1000;

/** The position of a dead letter in the listing, as the cursor carries it. */
interface ListPosition {
  serverId: string;
  failedAtMs: number;
  jobId: string;
}

/** The cursor of the listing that starts after `letter`: opaque to callers. */
export function deadLetterCursor(letter: DeadLetter): string {
  return JSON.stringify([letter.serverId, Date.parse(letter.failedAt), jobIdOf(letter.kind, letter.id)]);
}

function parseCursor(cursor: string): ListPosition | undefined {
  try {
    const value = JSON.parse(cursor) as unknown;
    if (!Array.isArray(value) || value.length !== 3) return undefined;
    const [serverId, failedAtMs, jobId] = value as unknown[];
    if (typeof serverId !== 'string' || typeof failedAtMs !== 'number' || typeof jobId !== 'string') {
      return undefined;
    }
    return { serverId, failedAtMs, jobId };
  } catch {
    return undefined;
  }
}

/**
 * The delivery queues: one BullMQ queue per security server (provider
 * servers get `deliver` jobs, consumer servers `callback` jobs), made on
 * first use and kept. A job's id comes from its message id
 * ({@link jobIdOf}), so a message enqueued twice is delivered once.
 * Completed jobs (with the answer) are kept `answerRetentionSeconds`;
 * failed ones are never removed: they are the dead letters, until replayed.
 *
 * Every method fails with `QueueUnavailable` when Redis does not take its
 * commands, at once rather than after waiting for Redis to come back.
 */
export class DeliveryQueues {
  private readonly redis: RedisConnection;
  private readonly queuePrefix: string;
  private readonly retentionSeconds: number;
  private readonly callbackPolicy: RetryPolicy;
  private readonly logger: Logger | undefined;
  private readonly queues = new Map<string, Queue>();
  /** Servers this process has added to the set of known servers. */
  private readonly registered = new Set<string>();

  constructor(options: DeliveryQueuesOptions) {
    this.redis = options.connection;
    this.queuePrefix = options.queuePrefix;
    this.retentionSeconds = options.answerRetentionSeconds;
    this.callbackPolicy = options.callbackPolicy ?? DEFAULT_CALLBACK_POLICY;
    this.logger = options.logger;
  }

  /**
   * Queues a message for its provider server (`data.providerServerId`). A
   * message id is queued once: while a job of that id is kept (waiting,
   * delivered or dead), enqueueing it again does nothing.
   */
  async enqueue(data: DeliveryJobData, policy: RetryPolicy): Promise<void> {
    return this.run(() =>
      this.add(data.providerServerId, DELIVER_JOB, data.message.envelope.id, data, policy),
    );
  }

  /**
   * Puts up the lease of a sync message the accepting gateway delivers
   * itself: a job delayed by `delayMs` (past the attempt's deadline), so it
   * runs only if the gateway never settles it, e.g. because it crashed. Its
   * attempts are the policy's less the gateway's own first one.
   */
  async lease(data: DeliveryJobData, policy: RetryPolicy, delayMs: number): Promise<void> {
    const leased: DeliveryJobData = { ...data, lease: true };
    const rest = { maxAttempts: Math.max(1, policy.maxAttempts - 1), backoffMs: policy.backoffMs };
    return this.run(() =>
      this.add(data.providerServerId, DELIVER_JOB, data.message.envelope.id, leased, rest, delayMs),
    );
  }

  /**
   * Keeps the answer of a message the accepting gateway delivered itself, for
   * status queries (and for its lease job, should that still run): the
   * outcome key, kept as long as a delivered job would be.
   */
  async keepAnswer(serverId: string, id: string, answer: DeliveredOutcome): Promise<void> {
    await this.run(() =>
      this.redis.set(this.outcomeKey(serverId, id), JSON.stringify(answer), 'EX', this.retentionSeconds),
    );
  }

  /** The answer {@link keepAnswer} kept, if any. */
  async keptAnswer(serverId: string, id: string): Promise<DeliveredOutcome | undefined> {
    return this.run(async () => {
      const text = await this.redis.get(this.outcomeKey(serverId, id));
      return text === null ? undefined : (JSON.parse(text) as DeliveredOutcome);
    });
  }

  /** Ends the lease of a message whose outcome is on record: its job goes, unrun. */
  async endLease(serverId: string, id: string): Promise<void> {
    await this.forget(serverId, id);
  }

  /**
   * Removes a message's job (unless a worker holds it), so its id can be
   * queued again: for a sync message given up on before it reached the backend.
   *
   * @returns whether the job went.
   */
  async forget(serverId: string, id: string): Promise<boolean> {
    return this.run(async () => (await this.queueOf(serverId).remove(jobIdOf(DELIVER_JOB, id))) === 1);
  }

  /**
   * Hands a leased message to the queue now: its accepting gateway tried it
   * `inlineAttempts` times; with `inlineFailure` it failed for good and the
   * job dead-letters at once, otherwise it is retried as any queued message.
   *
   * @returns false when the lease's job is no longer there (or no longer delayed).
   */
  async handOver(
    serverId: string,
    id: string,
    outcome: { inlineAttempts: number; inlineFailure?: FailureReason },
  ): Promise<boolean> {
    return this.run(async () => {
      const job = await this.queueOf(serverId).getJob(jobIdOf(DELIVER_JOB, id));
      if (job === undefined) return false;
      await job.updateData({ ...(job.data as DeliveryJobData), ...outcome });
      try {
        await job.promote();
      } catch (error) {
        // Its delay ended meanwhile and a worker took it: it runs with the new data all the same.
        if ((await job.getState()) === 'delayed') throw error;
      }
      return true;
    });
  }

  /** Queues an answer for the consumer's server (`data.consumerServerId`); a repeat is ignored. */
  async enqueueCallback(data: CallbackJobData): Promise<void> {
    await this.run(() =>
      this.add(data.consumerServerId, CALLBACK_JOB, data.messageId, data, this.callbackPolicy),
    );
  }

  /** Where the delivery of message `id` to `serverId` stands; undefined when no job of it is kept. */
  async status(serverId: string, id: string): Promise<ExchangeStatus | undefined> {
    return this.run(async () => {
      // State first, then the job: the job read is at least as new as the state, so a
      // finished state never comes with the data of the job before it finished.
      const queue = this.queueOf(serverId);
      const jobId = jobIdOf(DELIVER_JOB, id);
      // An answer the accepting gateway kept comes first: its lease job may linger a moment.
      const kept = await this.keptAnswer(serverId, id);
      if (kept !== undefined) return { id, state: 'delivered', ...kept };
      const state = await queue.getJobState(jobId);
      const job = state === 'unknown' ? undefined : await queue.getJob(jobId);
      if (job === undefined) {
        // Settled between the two reads: the answer is kept before the lease ends.
        const settled = await this.keptAnswer(serverId, id);
        return settled === undefined ? undefined : { id, state: 'delivered', ...settled };
      }
      const data = job.data as DeliveryJobData;
      const attempts = job.attemptsMade + (data.inlineAttempts ?? 0);
      // Handed over as failed for good: a dead letter from the moment its caller was told, not
      // only once a worker has moved it (the caller may ask at once).
      if (data.inlineFailure !== undefined && state !== 'failed') {
        return { id, state: 'dead-lettered', attempts: Math.max(1, attempts), reason: data.inlineFailure };
      }
      // A sync message's own failure, as its gateway handed it over, says more than BullMQ's copy.
      const reason = data.inlineFailure ?? decodeReason(job.failedReason);
      const withReason = reason === undefined ? {} : { reason };
      switch (state) {
        case 'completed':
          return { id, state: 'delivered', attempts, answer: job.returnvalue as ExchangeStatus['answer'] };
        case 'failed':
          return { id, state: 'dead-lettered', attempts, ...withReason };
        case 'active':
          return { id, state: 'delivering', attempts };
        case 'delayed':
          // A lease not handed over: the accepting gateway is delivering it itself.
          if (data.lease === true && data.inlineAttempts === undefined) {
            return { id, state: 'delivering', attempts };
          }
          return { id, state: 'retrying', attempts, ...withReason };
        default: // waiting: for the first time, or again after a retry without backoff
          return attempts === 0
            ? { id, state: 'queued', attempts }
            : { id, state: 'retrying', attempts, ...withReason };
      }
    });
  }

  /**
   * Dead letters, ordered by server id, then time of failure, then id.
   *
   * @param options.serverId - only this server's
   * @param options.after - a {@link deadLetterCursor}: start after that letter
   * @throws OrtooError `BadRequest` for an `after` that is not such a cursor
   */
  async deadLetters(options: { serverId?: string; limit: number; after?: string }): Promise<DeadLetter[]> {
    const start = options.after === undefined ? undefined : parseCursor(options.after);
    if (options.after !== undefined && start === undefined) {
      throw new OrtooError('BadRequest', 'cursor is not one this API gave out');
    }
    return this.run(async () => {
      const servers =
        options.serverId === undefined ? (await this.knownServers()).sort() : [options.serverId];
      const found: DeadLetter[] = [];
      for (const serverId of servers) {
        if (found.length >= options.limit) break;
        if (start !== undefined && serverId < start.serverId) continue;
        const from = start?.serverId === serverId ? start : undefined;
        found.push(...(await this.failedOf(serverId, options.limit - found.length, from)));
      }
      return found;
    });
  }

  /** One dead letter; undefined when that job is not dead. */
  async deadLetter(
    serverId: string,
    id: string,
    kind: DeliveryJobName = DELIVER_JOB,
  ): Promise<DeadLetter | undefined> {
    return this.run(async () => {
      const queue = this.queueOf(serverId);
      const jobId = jobIdOf(kind, id);
      if ((await queue.getJobState(jobId)) !== 'failed') return undefined;
      const job = await queue.getJob(jobId);
      return job === undefined ? undefined : toDeadLetter(serverId, job);
    });
  }

  /**
   * Puts a dead letter back to be delivered, its attempts counted afresh.
   *
   * @returns false when that job is not (or no longer) dead.
   */
  async replay(serverId: string, id: string, kind: DeliveryJobName = DELIVER_JOB): Promise<boolean> {
    return this.run(async () => {
      const job = await this.queueOf(serverId).getJob(jobIdOf(kind, id));
      if (job === undefined || (await job.getState()) !== 'failed') return false;
      if (kind === DELIVER_JOB) {
        // A replay is a fresh start: the accepting gateway's failed attempts no longer count.
        const { inlineFailure: _failure, inlineAttempts: _attempts, ...data } = job.data as DeliveryJobData;
        await job.updateData(data);
      }
      try {
        await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
        return true;
      } catch (error) {
        // Replayed meanwhile by someone else: BullMQ refuses a job that is not failed.
        if ((await job.getState()) !== 'failed') return false;
        throw error;
      }
    });
  }

  /** Jobs by state in every known server's queue. */
  async depths(): Promise<Record<string, QueueDepth>> {
    return this.run(async () => {
      const depths: Record<string, QueueDepth> = {};
      for (const serverId of (await this.knownServers()).sort()) {
        const counts = await this.queueOf(serverId).getJobCounts('waiting', 'active', 'delayed', 'failed');
        depths[serverId] = {
          waiting: counts.waiting ?? 0,
          active: counts.active ?? 0,
          delayed: counts.delayed ?? 0,
          failed: counts.failed ?? 0,
        };
      }
      return depths;
    });
  }

  /** Closes the queues; the connection stays open (its owner closes it). */
  async close(): Promise<void> {
    const queues = [...this.queues.values()];
    this.queues.clear();
    await Promise.all(queues.map((queue) => queue.close()));
  }

  /** Runs Redis commands: waits for a connection being made, maps every failure to `QueueUnavailable`. */
  private async run<T>(commands: () => Promise<T>): Promise<T> {
    await whenReady(this.redis);
    try {
      return await commands();
    } catch (error) {
      if (isOrtooError(error)) throw error;
      this.logger?.warn('Delivery queue command failed', { error: String(error) });
      throw queueUnavailable('Redis command failed', error);
    }
  }

  private async add(
    serverId: string,
    name: DeliveryJobName,
    messageId: string,
    data: DeliveryJobData | CallbackJobData,
    policy: RetryPolicy,
    delayMs = 0,
  ): Promise<void> {
    await this.register(serverId);
    const queue = this.queueOf(serverId);
    const jobId = jobIdOf(name, messageId);
    const options: JobsOptions = {
      jobId,
      attempts: Math.max(1, policy.maxAttempts),
      backoff: { type: 'exponential', delay: policy.backoffMs, jitter: BACKOFF_JITTER },
      removeOnComplete: { age: this.retentionSeconds },
      removeOnFail: false,
      stackTraceLimit: 0,
      ...(delayMs > 0 ? { delay: delayMs } : {}),
    };
    // A job of this id already there (waiting, delivered or dead) makes this a no-op.
    await queue.add(name, data, options);
  }

  private queueOf(serverId: string): Queue {
    let queue = this.queues.get(serverId);
    if (queue === undefined) {
      queue = new Queue(DELIVERY_QUEUE, {
        connection: this.redis,
        prefix: queueKeyPrefix(this.queuePrefix, serverId),
        // Fail fast: never wait for Redis to be ready, and no INFO round trip that could leave the queue broken.
        skipWaitingForReady: true,
        skipVersionCheck: true,
        streams: { events: { maxLen: EVENTS_KEPT } },
      });
      queue.on('error', (error: Error) => {
        this.logger?.warn('Delivery queue error', { serverId, error: error.message });
      });
      this.queues.set(serverId, queue);
    }
    return queue;
  }

  private outcomeKey(serverId: string, id: string): string {
    return `${queueKeyPrefix(this.queuePrefix, serverId)}:outcome:${id}`;
  }

  /** The set of servers that have ever had a queue, for listings across them. */
  private get serversKey(): string {
    return `${this.queuePrefix}:servers`;
  }

  private async register(serverId: string): Promise<void> {
    if (this.registered.has(serverId)) return;
    await this.redis.sadd(this.serversKey, serverId);
    this.registered.add(serverId);
  }

  private async knownServers(): Promise<string[]> {
    return this.redis.smembers(this.serversKey);
  }

  /** Up to `count` dead letters of one server, after position `from`. */
  private async failedOf(
    serverId: string,
    count: number,
    from: ListPosition | undefined,
  ): Promise<DeadLetter[]> {
    const queue = this.queueOf(serverId);
    const letters: DeadLetter[] = [];
    const min = from === undefined ? '-inf' : String(from.failedAtMs);
    for (let offset = 0; letters.length < count;) {
      // Members of equal score come in byte order of their ids: the same order as the cursor's.
      const batch = await this.redis.zrangebyscore(
        queue.toKey('failed'),
        min,
        '+inf',
        'WITHSCORES',
        'LIMIT',
        offset,
        count,
      );
      if (batch.length === 0) break;
      offset += batch.length / 2;
      const entries: { jobId: string; score: number }[] = [];
      for (let i = 0; i < batch.length; i += 2) {
        const jobId = batch[i] ?? '';
        const score = Number(batch[i + 1]);
        if (from !== undefined && score === from.failedAtMs && jobId <= from.jobId) continue;
        if (parseJobId(jobId) !== undefined) entries.push({ jobId, score });
      }
      // Read together: the commands go out at once instead of one round trip each.
      const jobs = await Promise.all(entries.map(({ jobId }) => queue.getJob(jobId)));
      entries.forEach(({ score }, i) => {
        const job = jobs[i];
        // A job removed since the range was read is left out.
        if (job !== undefined && letters.length < count) letters.push(toDeadLetter(serverId, job, score));
      });
    }
    return letters;
  }
}

/** A failed job as a dead letter. */
function toDeadLetter(serverId: string, job: Job, failedAtMs?: number): DeadLetter {
  const parsed = parseJobId(job.id ?? '') ?? { name: DELIVER_JOB, messageId: job.id ?? '' };
  const envelope =
    parsed.name === DELIVER_JOB
      ? (job.data as DeliveryJobData).message.envelope
      : (job.data as CallbackJobData).answer.envelope;
  return {
    id: parsed.messageId,
    kind: parsed.name,
    serverId,
    client: envelope.client,
    service: envelope.service,
    failedAt: new Date(failedAtMs ?? job.finishedOn ?? 0).toISOString(),
    attempts: job.attemptsMade,
    reason: decodeReason(job.failedReason) ?? { type: ERROR_KINDS.InternalError.type, message: 'Unknown' },
  };
}
