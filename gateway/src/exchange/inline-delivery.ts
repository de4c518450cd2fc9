import {
  toOrtooError,
  type GlobalConfIndex,
  type GlobalConfService,
  type Logger,
  type ResponseEnvelope,
  type SignedMessage,
} from '../../../core/src';
import type { CompletionNotifier } from '../delivery/completion-notifier';
import type { DeliveryJobData, FailureReason } from '../delivery/delivery-job';
import type { DeliveryQueues } from '../delivery/delivery-queues';
import type { DeliveryHooks } from '../delivery/delivery-workers';
import { isTransientFailure } from '../delivery/failure-kind';
import { attemptDelivery, type DeliveryParts } from './deliver-exchange';

/**
 * How long past the service's timeout a lease waits before its job runs: the
 * gateway's own attempt is over by then, answered or failed, unless the
 * gateway died.
 */
export const LEASE_GRACE_MS = 5_000;

/** What {@link InlineDelivery} works with. */
export interface InlineDeliveryParts extends Pick<DeliveryParts, 'providers' | 'serviceSchemas' | 'metrics'> {
  readonly queues: DeliveryQueues;
  readonly notifier: CompletionNotifier;
  /** The same hooks the workers run: audit records, metrics, log lines. */
  readonly hooks: DeliveryHooks;
  readonly logger: Logger;
}

/** How a sync message's delivery ended for its caller. */
export type InlineOutcome =
  | { readonly kind: 'answered'; readonly answer: SignedMessage<ResponseEnvelope> }
  /** Retries are queued; the caller waited as long as the service allows. */
  | { readonly kind: 'timeout' }
  | { readonly kind: 'dead-lettered'; readonly reason?: FailureReason };

/**
 * The sync path: the gateway that accepted a sync message delivers it
 * itself, with the answer in hand, instead of queueing it and waiting for a
 * worker. What stands behind it is a **lease**, a delayed job on the
 * provider's queue holding the message, put up once the `accepted` record is
 * committed and before the provider is called:
 *
 * - the attempt succeeds → the caller gets the answer at once; then, off the
 *   caller's path, the answer is kept for status queries, the `delivered`
 *   record is committed (group commit) and only then the lease ends;
 * - it fails transiently → `retrying` is recorded, the lease is handed to
 *   the queue (retried with backoff as any queued message) and the caller
 *   waits for the outcome within the service's timeout, as before;
 * - it fails for good → the lease is handed over as a dead letter (no second
 *   call) and the caller gets `DeliveryFailed` at once;
 * - the gateway dies (or its database is down when it records the outcome)
 *   → the lease's job runs after the timeout and its grace, in any process
 *   that works the queue: it takes the kept answer if there is one, and
 *   delivers again otherwise (the provider answers a redelivery from its
 *   message log), so the message still ends with an outcome on record.
 */
export class InlineDelivery {
  readonly #parts: InlineDeliveryParts;

  constructor(parts: InlineDeliveryParts) {
    this.#parts = parts;
  }

  /** Puts up the lease of an accepted sync message (call once `accepted` is committed). */
  lease(data: DeliveryJobData, service: GlobalConfService): Promise<void> {
    return this.#parts.queues.lease(data, service.retryPolicy, service.timeoutMs + LEASE_GRACE_MS);
  }

  /**
   * Makes the first attempt and says how it ended for the caller, who has
   * `deadline` (a `performance.now()` time) to wait at most.
   */
  async deliver(
    index: GlobalConfIndex,
    data: DeliveryJobData,
    service: GlobalConfService,
    deadline: number,
  ): Promise<InlineOutcome> {
    const { hooks } = this.#parts;
    const { id } = data.message.envelope;
    let answer: SignedMessage<ResponseEnvelope>;
    try {
      answer = await attemptDelivery(this.#parts, index, data);
    } catch (thrown) {
      const error = toOrtooError(thrown);
      if (!isTransientFailure(error) || service.retryPolicy.maxAttempts <= 1) {
        const reason = { type: error.type, message: error.message };
        await this.#handOver(data, { inlineAttempts: 0, inlineFailure: reason });
        return { kind: 'dead-lettered', reason };
      }
      await hooks.failed(data, error, 1, false);
      // Registered before the hand-over, so the retry's completion cannot be missed.
      const waiting = this.#waitFor(id, deadline);
      await this.#handOver(data, { inlineAttempts: 1 });
      return this.#outcomeOf(data.providerServerId, id, waiting);
    }
    void this.#settle(data, answer);
    return { kind: 'answered', answer };
  }

  /**
   * Waits until `deadline` for a message queued (or delivered meanwhile) to
   * end, for a caller that resent it under its id: the outcome its first
   * submission has, or comes to.
   */
  async awaitOutcome(serverId: string, id: string, deadline: number): Promise<InlineOutcome> {
    const waiting = this.#waitFor(id, deadline);
    // Read after the wait is registered: an end before it is seen here, one after it there.
    const now = await this.#parts.queues.status(serverId, id);
    if (now?.state === 'delivered' && now.answer !== undefined)
      return { kind: 'answered', answer: now.answer };
    if (now?.state === 'dead-lettered') {
      return now.reason === undefined
        ? { kind: 'dead-lettered' }
        : { kind: 'dead-lettered', reason: now.reason };
    }
    return this.#outcomeOf(serverId, id, waiting);
  }

  #waitFor(id: string, deadline: number): Promise<'delivered' | 'dead-lettered' | 'timeout'> | undefined {
    const remaining = deadline - performance.now();
    return remaining > 0 ? this.#parts.notifier.waitFor(id, remaining) : undefined;
  }

  async #outcomeOf(
    serverId: string,
    id: string,
    waiting: Promise<'delivered' | 'dead-lettered' | 'timeout'> | undefined,
  ): Promise<InlineOutcome> {
    const outcome = waiting === undefined ? 'timeout' : await waiting;
    if (outcome === 'timeout') return { kind: 'timeout' };
    const status = await this.#parts.queues.status(serverId, id);
    if (outcome === 'delivered' && status?.answer !== undefined) {
      return { kind: 'answered', answer: status.answer };
    }
    return status?.reason === undefined
      ? { kind: 'dead-lettered' }
      : { kind: 'dead-lettered', reason: status.reason };
  }

  /** Off the caller's path: keep the answer, record the outcome, end the lease once it is on record. */
  async #settle(data: DeliveryJobData, answer: SignedMessage<ResponseEnvelope>): Promise<void> {
    const { queues, hooks, logger } = this.#parts;
    const { id } = data.message.envelope;
    const server = data.providerServerId;
    try {
      await queues.keepAnswer(server, id, { attempts: 1, answer });
      // Not on record (the hook logged why): the lease stays, and its job records the outcome later.
      if (await hooks.delivered(data, answer, 1)) await queues.endLease(server, id);
    } catch (error) {
      logger.warn('lease not settled; its job will', { messageId: id, error: String(error) });
    }
  }

  /** Hands the lease to the queue; should Redis refuse, the lease's job still runs when due. */
  async #handOver(data: DeliveryJobData, outcome: Parameters<DeliveryQueues['handOver']>[2]): Promise<void> {
    const { id } = data.message.envelope;
    try {
      await this.#parts.queues.handOver(data.providerServerId, id, outcome);
    } catch (error) {
      this.#parts.logger.warn('lease not handed over; its job will run when due', {
        messageId: id,
        error: String(error),
      });
    }
  }
}
