import { performance } from 'node:perf_hooks';
import {
  OrtooError,
  envelopeHash,
  signMessage,
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
 * **The backend is called once per message.** The gateway delivers at least
 * once: after a lost answer, a timeout on its side or a crash it delivers
 * again. A message already answered (the same request, by its envelope hash)
 * gets its logged answer back; one being answered in this process gets the
 * same answer when it comes. Only an attempt that failed (backend down or
 * slow: no answer was signed) calls the backend again.
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
    const logged = await messageLog.answer(envelope.id, { direction: 'sent', requestHash });
    if (logged !== undefined) {
      logger.info('redelivered message answered from the message log', facts);
      return { answer: logged, redelivered: true, stored: Promise.resolve() };
    }

    const backendRequest = buildBackendRequest(message, route, service.version);
    // The one commit before the backend is called: what came in is on record before anything is done with it.
    await messageLog.record({ direction: 'received', message });
    const started = performance.now();
    let response: BackendResponse;
    try {
      response = await this.#backend.call(backendRequest, route.timeoutMs);
    } catch (error) {
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
