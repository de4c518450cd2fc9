import {
  ERROR_KINDS,
  type RequestEnvelope,
  type ResponseEnvelope,
  type SignedMessage,
} from '../../../core/src';

/** Name of the job that delivers a request to its provider server. */
export const DELIVER_JOB = 'deliver';
/** Name of the job that hands an answer back to the consumer's server. */
export const CALLBACK_JOB = 'callback';

/** The kinds of delivery job. */
export type DeliveryJobName = typeof DELIVER_JOB | typeof CALLBACK_JOB;

/** What a `deliver` job carries: everything the worker needs, nothing to look up again. */
export interface DeliveryJobData {
  /** The request as the consumer's server signed it, untouched. */
  readonly message: SignedMessage<RequestEnvelope>;
  /** The service version resolved when the gateway accepted the message. */
  readonly serviceVersion: string;
  /** The provider server it goes to: the queue it is on. */
  readonly providerServerId: string;
  /** The consumer's server that submitted it. */
  readonly consumerServerId: string;
  /** Whether the answer is to be POSTed back to the consumer's server. */
  readonly callback: boolean;
  /**
   * Set on the job that stands behind a sync message the accepting gateway
   * delivers itself (a lease): it is delayed past the service's timeout and
   * runs only when that gateway could not settle it (it crashed, or the
   * attempt failed and retries are due). See `inline-delivery.ts`.
   */
  readonly lease?: true;
  /** Attempts the accepting gateway made itself before handing the message to the queue. */
  readonly inlineAttempts?: number;
  /**
   * The accepting gateway's attempt failed for good with this reason: the
   * job ends as a dead letter without calling the provider again. A replay
   * clears it.
   */
  readonly inlineFailure?: FailureReason;
}

/** What a `callback` job carries: the answer, for the consumer's server. */
export interface CallbackJobData {
  readonly messageId: string;
  /** The server the answer goes to: the queue it is on. */
  readonly consumerServerId: string;
  readonly answer: SignedMessage<ResponseEnvelope>;
}

/** Where an exchange stands. */
export type ExchangeState = 'queued' | 'delivering' | 'retrying' | 'delivered' | 'dead-lettered';

/** Why a delivery failed: the type and message of its last error. */
export interface FailureReason {
  readonly type: string;
  readonly message: string;
  /**
   * Given up on for its sync caller before it reached the backend (the
   * caller was told so): never delivered, and a resend under its id is
   * taken on anew.
   */
  readonly callerAnswered?: true;
}

/** An exchange's status, as `GET /v1/exchange/{id}` answers it. */
export interface ExchangeStatus {
  id: string;
  state: ExchangeState;
  /** Delivery attempts that ended, successfully or not. */
  attempts: number;
  /** The provider's signed answer, once `delivered`. */
  answer?: SignedMessage<ResponseEnvelope>;
  /** The last failure: why it is `retrying` or `dead-lettered`. */
  reason?: FailureReason;
}

/**
 * The BullMQ job id of a message's job: `<kind>.<message id>`. A prefix, so
 * that a server that is both provider and consumer of one message can hold
 * both its jobs, and because BullMQ refuses ids that read as integers,
 * which a message id may be.
 */
export function jobIdOf(name: DeliveryJobName, messageId: string): string {
  return `${name}.${messageId}`;
}

/** The message id and kind of a job id made by {@link jobIdOf}; undefined for another id. */
export function parseJobId(jobId: string): { name: DeliveryJobName; messageId: string } | undefined {
  const dot = jobId.indexOf('.');
  const name = jobId.slice(0, dot);
  if (dot < 0 || (name !== DELIVER_JOB && name !== CALLBACK_JOB)) return undefined;
  return { name, messageId: jobId.slice(dot + 1) };
}

/**
 * A failure as stored in BullMQ's `failedReason` (a string): JSON, so a
 * dead letter's reason keeps its type. {@link decodeReason} reads it back.
 */
export function encodeReason(reason: FailureReason): string {
  return JSON.stringify({ type: reason.type, message: reason.message });
}

/** The reason {@link encodeReason} stored; anything else BullMQ wrote becomes an internal error. */
export function decodeReason(stored: string | undefined): FailureReason | undefined {
  if (stored === undefined || stored === '') return undefined;
  try {
    const parsed = JSON.parse(stored) as Partial<FailureReason> | null;
    if (typeof parsed?.type === 'string' && typeof parsed.message === 'string') {
      return { type: parsed.type, message: parsed.message };
    }
  } catch {
    // not ours: e.g. BullMQ's own "job stalled more than allowable limit"
  }
  return { type: ERROR_KINDS.InternalError.type, message: stored };
}
