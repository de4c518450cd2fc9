import { UnrecoverableError, Worker, type Job } from 'bullmq';
import {
  OrtooError,
  toOrtooError,
  type Logger,
  type ResponseEnvelope,
  type SignedMessage,
} from '../../../core/src';
import { closeConnection, createRedisConnection, type RedisConnection, type RedisTarget } from '../redis';
import type { CompletionNotifier } from './completion-notifier';
import {
  DELIVER_JOB,
  encodeReason,
  parseJobId,
  type CallbackJobData,
  type DeliveryJobData,
  type DeliveryJobName,
} from './delivery-job';
import { DELIVERY_QUEUE, queueKeyPrefix } from './delivery-queues';
import { isTransientFailure } from './failure-kind';

/** @defaultValue {@link DeliveryWorkersOptions.lockMs} */
export const DEFAULT_LOCK_MS = 5_000;

/** One attempt of a job, as the processor sees it. */
export interface DeliveryAttempt {
  readonly name: DeliveryJobName;
  readonly data: DeliveryJobData | CallbackJobData;
  /** 1 for the first attempt. */
  readonly attempt: number;
  /** When the job was queued (ms since the epoch, by the accepting process's clock). */
  readonly enqueuedAt: number;
}

/**
 * Does one attempt: a `deliver` job resolves with the provider's verified
 * answer, a `callback` job with nothing. It throws an {@link OrtooError};
 * a transient one ({@link isTransientFailure}) is tried again after the
 * job's backoff, any other ends the job as a dead letter at once.
 */
export type DeliveryProcessor = (job: DeliveryAttempt) => Promise<SignedMessage<ResponseEnvelope> | void>;

/**
 * Told of each `deliver` job's outcome, before the job is marked done: the
 * gateway audits here. They must not throw (a throw is logged and ignored).
 */
export interface DeliveryHooks {
  /**
   * Resolves true when the outcome is on record (audited, or kept to be), false when that
   * failed (and was logged).
   */
  delivered(
    data: DeliveryJobData,
    answer: SignedMessage<ResponseEnvelope>,
    attempt: number,
  ): Promise<boolean>;
  /** @param final - true when the message is dead-lettered, false when it will be tried again. */
  failed(data: DeliveryJobData, error: OrtooError, attempt: number, final: boolean): Promise<void>;
}

/** Options of {@link DeliveryWorkers}. */
export interface DeliveryWorkersOptions {
  /** Redis (one server or a cluster): the workers open their own (blocking) connections. */
  readonly redis: RedisTarget;
  /** As {@link DeliveryQueues}'. */
  readonly queuePrefix: string;
  /** Jobs in progress at once per server's queue, in this process. */
  readonly concurrency: number;
  /**
   * Most jobs started per second per server's queue, over all processes.
   * @defaultValue 0: no limit
   */
  readonly ratePerSecond?: number;
  /**
   * How long a worker's hold on a job lasts unless renewed (BullMQ renews it
   * every half of it); a process that dies mid-delivery gives the job back
   * after this, at the next stall check (as often).
   * @defaultValue 5000
   */
  readonly lockMs?: number;
  /** Does each attempt. */
  readonly processor: DeliveryProcessor;
  /** Told of each attempt's outcome. */
  readonly hooks: DeliveryHooks;
  /** Where completions are announced, for sync requests waiting on them. */
  readonly notifier: Pick<CompletionNotifier, 'notify'>;
  /** Where worker and connection trouble is reported. */
  readonly logger: Logger;
}

/**
 * Attempts a job has left after this one. A lease's attempts are its
 * policy's less the accepting gateway's first; a lease handed over after
 * more attempts of that gateway has fewer left.
 */
function attemptsLeft(job: Job, inline: DeliveryJobData | undefined): number {
  const allowed = job.opts.attempts ?? 1;
  const made = job.attemptsMade + 1;
  if (inline?.lease !== true || inline.inlineAttempts === undefined) return allowed - made;
  return allowed + 1 - made - inline.inlineAttempts;
}

/**
 * The delivery workers of one process: one BullMQ worker per security
 * server's queue, each running up to `concurrency` jobs, so a slow provider
 * only ever holds up its own queue.
 *
 * After a `deliver` job is done (marked completed or failed for good, after
 * the hooks ran), the {@link CompletionNotifier} is told `delivered` or
 * `dead-lettered`.
 *
 * A process that dies mid-delivery leaves its job locked; BullMQ takes it
 * back once the lock expires ({@link DeliveryWorkersOptions.lockMs}) and
 * delivers it again, once. So a
 * provider may, rarely, see a message id twice, and answers it idempotently.
 */
export class DeliveryWorkers {
  private readonly options: DeliveryWorkersOptions;
  /** Shared by the workers for their commands; each worker duplicates it for its blocking reads. */
  private readonly connection: RedisConnection;
  private readonly workers = new Map<string, Worker>();
  private closing: Promise<void> | undefined;

  constructor(options: DeliveryWorkersOptions) {
    this.options = options;
    this.connection = createRedisConnection(options.redis, { purpose: 'blocking', logger: options.logger });
  }

  /** The servers whose queues are being worked, sorted. */
  get serverIds(): string[] {
    return [...this.workers.keys()].sort();
  }

  /**
   * Runs a worker for each of `serverIds`, starting those not running yet
   * and stopping (gracefully) those no longer listed. Does not wait for
   * Redis: a worker starts taking jobs once it is connected.
   */
  async ensure(serverIds: readonly string[]): Promise<void> {
    if (this.closing !== undefined) return;
    const wanted = new Set(serverIds);
    const stopping: Worker[] = [];
    for (const [serverId, worker] of this.workers) {
      if (!wanted.has(serverId)) {
        this.workers.delete(serverId);
        stopping.push(worker);
      }
    }
    for (const serverId of wanted) {
      if (!this.workers.has(serverId)) this.workers.set(serverId, this.start(serverId));
    }
    await Promise.all(stopping.map((worker) => worker.close()));
  }

  /** Stops taking jobs, lets the jobs in progress finish, then disconnects. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const workers = [...this.workers.values()];
      this.workers.clear();
      await Promise.all(workers.map((worker) => worker.close()));
      await closeConnection(this.connection);
    })();
    return this.closing;
  }

  private start(serverId: string): Worker {
    const { concurrency, ratePerSecond, logger } = this.options;
    const worker = new Worker(DELIVERY_QUEUE, (job: Job) => this.process(job), {
      connection: this.connection,
      prefix: queueKeyPrefix(this.options.queuePrefix, serverId),
      concurrency,
      lockDuration: this.options.lockMs ?? DEFAULT_LOCK_MS,
      stalledInterval: this.options.lockMs ?? DEFAULT_LOCK_MS,
      ...(ratePerSecond !== undefined && ratePerSecond > 0
        ? { limiter: { max: ratePerSecond, duration: 1000 } }
        : {}),
    });
    worker.on('completed', (job: Job) => {
      const parsed = parseJobId(job.id ?? '');
      if (parsed?.name === DELIVER_JOB) void this.options.notifier.notify(parsed.messageId, 'delivered');
    });
    worker.on('failed', (job: Job | undefined) => {
      const parsed = parseJobId(job?.id ?? '');
      // finishedOn is set only when the job failed for good, not when it is retried.
      if (parsed?.name === DELIVER_JOB && typeof job?.finishedOn === 'number') {
        void this.options.notifier.notify(parsed.messageId, 'dead-lettered');
      }
    });
    worker.on('error', (error: Error) => {
      logger.warn('Delivery worker error', { serverId, error: error.message });
    });
    return worker;
  }

  /** One attempt of one job: the processor, the hooks, and the error BullMQ retries or not. */
  private async process(job: Job): Promise<SignedMessage<ResponseEnvelope> | null> {
    const name = job.name as DeliveryJobName;
    const data = job.data as DeliveryJobData | CallbackJobData;
    // The accepting gateway's own attempts at a leased sync message count too.
    const inline = name === DELIVER_JOB ? (data as DeliveryJobData) : undefined;
    const attempt = job.attemptsMade + 1 + (inline?.inlineAttempts ?? 0);
    try {
      const answer = await this.options.processor({ name, data, attempt, enqueuedAt: job.timestamp });
      if (name !== DELIVER_JOB) return null;
      if (answer === undefined) throw new OrtooError('InternalError', 'The delivery gave no answer');
      await this.hook(() => this.options.hooks.delivered(data as DeliveryJobData, answer, attempt));
      return answer;
    } catch (thrown) {
      const error = toOrtooError(thrown);
      // A failure the accepting gateway handed over is final, whatever its kind.
      const transient = isTransientFailure(error) && inline?.inlineFailure === undefined;
      const final = !transient || attemptsLeft(job, inline) <= 0;
      if (name === DELIVER_JOB) {
        await this.hook(() => this.options.hooks.failed(data as DeliveryJobData, error, attempt, final));
      }
      if (error.code === 'InternalError') {
        this.options.logger.error('Delivery failed unexpectedly', {
          jobId: job.id,
          error: String(error.cause),
        });
      }
      const reason = encodeReason({ type: error.type, message: error.message });
      throw transient ? new Error(reason) : new UnrecoverableError(reason);
    }
  }

  private async hook(call: () => Promise<unknown>): Promise<void> {
    try {
      await call();
    } catch (error) {
      this.options.logger.error('A delivery hook failed', { error: String(error) });
    }
  }
}
