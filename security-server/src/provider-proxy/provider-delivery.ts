import { performance } from 'node:perf_hooks';
import {
  OrtooError,
  envelopeHash,
  signMessage,
  type GlobalConfService,
  type ResponseEnvelope,
  type SignedMessage,
} from '../../../core/src';
import type { SecurityServerDeps } from '../deps';
import { buildBackendAnswer, type BackendResponse } from './backend-answer';
import type { BackendClient } from './backend-client';
import { buildBackendRequest } from './backend-request';
import { checkDelivery, type AcceptedDelivery } from './check-delivery';
import type { ProviderMetrics } from './provider-metrics';

/** The provider's signed answer, and whether it came from the message log. */
export interface DeliveryResult {
  readonly answer: SignedMessage<ResponseEnvelope>;
  /** True when the message was answered before and the backend was not called again. */
  readonly redelivered: boolean;
  /** Settles once the answer is in the message log (or its failure to be is logged). */
  readonly stored: Promise<void>;
}

/** Methods that may be called again with the same message (RFC 9110 §9.2.2). */
const IDEMPOTENT_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);

/** Requests remembered as never sent, at most (the oldest are forgotten, and then not called again). */
const MAX_NOT_SENT = 10_000;

/** Errors of a connection that never carried the request: the backend cannot have seen it. */
const NOT_SENT_REASONS: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/** Whether a request whose call was begun but never answered may be called again. */
export function mayCallAgain(method: string, service: Pick<GlobalConfService, 'idempotent'>): boolean {
  return IDEMPOTENT_METHODS.has(method.toUpperCase()) || service.idempotent === true;
}

function neverSent(error: unknown): boolean {
  if (!(error instanceof OrtooError) || error.code !== 'BackendUnavailable') return false;
  const reason = (error.detail as { reason?: unknown } | undefined)?.reason;
  return typeof reason === 'string' && NOT_SENT_REASONS.has(reason);
}

/** What {@link ProviderDelivery} uses of the security server. */
export type ProviderDeliveryDeps = Pick<
  SecurityServerDeps,
  'config' | 'identity' | 'conf' | 'messageLog' | 'logger' | 'clock'
>;

/**
 * Answers the requests the gateway delivers (`POST /v1/deliver`): checks
 * them ({@link checkDelivery}), calls the mapped backend, signs its answer
 * with the server's signing key and logs both in the message log.
 *
 * **What a redelivery does.** The gateway delivers at least once: after a
 * lost answer, a timeout on its side or a crash it delivers again. The
 * request is logged `received` before its backend call (the call is in
 * flight), its signed answer after. On a redelivery of the same request (by
 * envelope hash):
 * - answered before → the logged answer, no call;
 * - being answered in this process → the same answer when it comes;
 * - in flight before with no answer, the call refused before it was sent
 *   (backend down) → called again;
 * - in flight before with no known end (this server died, the backend went
 *   silent or dropped the connection) → called again when the method is
 *   idempotent (GET, HEAD, PUT, DELETE, OPTIONS) or the service is
 *   registered idempotent; otherwise (POST, PATCH) never again: a typed
 *   `OutcomeUnknown`, which the gateway dead-letters.
 * The backend always gets the message id (`X-Road-Id`) as an idempotency key.
 *
 * **What is durable when the gateway gets the answer:** the request, logged
 * `received` (committed before the backend is called). The signed answer is
 * committed just after, by the message log's group commit, off the
 * gateway's path; until it is, a redelivery is answered from memory. A crash
 * in that moment loses the answer's record, and a redelivery then calls the
 * backend again, which gets the message id (`X-Road-Id`) to recognise it.
 */
export class ProviderDelivery {
  readonly #deps: ProviderDeliveryDeps;
  readonly #backend: BackendClient;
  readonly #metrics: ProviderMetrics;
  /** Deliveries being answered, by request hash: duplicates arriving meanwhile wait for the same answer. */
  readonly #inFlight = new Map<string, Promise<DeliveryResult>>();
  /** Requests whose last backend call failed before it was sent (refused): safe to call again. */
  readonly #notSent = new Set<string>();

  constructor(deps: ProviderDeliveryDeps, backend: BackendClient, metrics: ProviderMetrics) {
    this.#deps = deps;
    this.#backend = backend;
    this.#metrics = metrics;
  }

  /**
   * Answers one delivered message (the parsed JSON of the request body).
   *
   * @throws OrtooError any of {@link checkDelivery}'s; `BackendUnavailable`,
   *   `BackendTimeout`, `InvalidAnswer` from the backend call; the message
   *   log's errors when it cannot record.
   */
  async deliver(raw: unknown): Promise<DeliveryResult> {
    try {
      const accepted = await this.#deps.conf.retryFresh((index) =>
        checkDelivery(index, raw, {
          memberId: this.#deps.identity.memberId,
          serverId: this.#deps.identity.serverId,
          routes: this.#deps.config.services,
        }),
      );
      const requestHash = envelopeHash(accepted.message.envelope);
      const running = this.#inFlight.get(requestHash);
      let result: DeliveryResult;
      if (running !== undefined) {
        result = { ...(await running), redelivered: true };
      } else {
        const answering = this.#answer(accepted, requestHash);
        this.#inFlight.set(requestHash, answering);
        // Kept until its answer is committed, so a redelivery meanwhile gets the same answer.
        const forget = () => {
          this.#inFlight.delete(requestHash);
        };
        try {
          result = await answering;
        } catch (error) {
          forget();
          throw error;
        }
        void result.stored.then(forget);
      }
      this.#metrics.deliveries.inc({ outcome: result.redelivered ? 'redelivered' : 'answered' });
      return result;
    } catch (error) {
      this.#metrics.deliveries.inc({ outcome: error instanceof OrtooError ? error.type : 'InternalError' });
      throw error;
    }
  }

  #rememberNotSent(requestHash: string): void {
    if (this.#notSent.size >= MAX_NOT_SENT) {
      const oldest = this.#notSent.values().next();
      if (oldest.done !== true) this.#notSent.delete(oldest.value);
    }
    this.#notSent.add(requestHash);
  }

  async #answer(accepted: AcceptedDelivery, requestHash: string): Promise<DeliveryResult> {
    const { message, service, route } = accepted;
    const { envelope } = message;
    const { messageLog, identity, clock, logger } = this.#deps;
    const facts = {
      messageId: envelope.id,
      client: envelope.client,
      serviceId: envelope.service,
      hop: 'provider',
    };

    // Bound to this very request: message ids are the clients' choice, a request hash is not.
    const logged = await messageLog.delivery(envelope.id, requestHash);
    if (logged.answer !== undefined) {
      logger.info('redelivered message answered from the message log', facts);
      return { answer: logged.answer, redelivered: true, stored: Promise.resolve() };
    }
    const backendRequest = buildBackendRequest(message, route, service.version);
    if (!logged.received) {
      // The one commit before the backend is called: the call is on record as begun (in flight).
      await messageLog.record({ direction: 'received', message });
    } else if (!this.#notSent.delete(requestHash) && !mayCallAgain(envelope.method, service)) {
      // Begun before without a known end: the backend may have done the work. Not again.
      logger.warn('redelivered message not called again: its outcome is unknown', facts);
      throw new OrtooError(
        'OutcomeUnknown',
        `Message ${envelope.id} was handed to the backend before and its outcome is unknown; ${envelope.method} is not called twice`,
        { detail: { id: envelope.id, method: envelope.method } },
      );
    }
    const started = performance.now();
    let response: BackendResponse;
    try {
      response = await this.#backend.call(backendRequest, route.timeoutMs);
    } catch (error) {
      if (neverSent(error)) this.#rememberNotSent(requestHash);
      logger.warn('backend call failed', {
        ...facts,
        backendUrl: backendRequest.url.origin + backendRequest.url.pathname,
        type: error instanceof OrtooError ? error.type : undefined,
      });
      throw error;
    } finally {
      this.#metrics.backendSeconds.observe({ service: service.id }, (performance.now() - started) / 1000);
    }
    const answer = signMessage(buildBackendAnswer(envelope, response, { now: clock() }), identity.signer);
    // Off the gateway's path: the answer goes back while it is being committed (group commit).
    const stored = messageLog.record({ direction: 'sent', message: answer }).catch((error: unknown) => {
      logger.error('answer not logged', { ...facts, error: String(error) });
    });
    logger.info('message answered', {
      ...facts,
      status: answer.envelope.status,
      backendMs: Math.round((performance.now() - started) * 10) / 10,
    });
    return { answer, redelivered: false, stored };
  }
}
