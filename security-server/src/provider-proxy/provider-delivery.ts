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
        try {
          result = await answering;
        } finally {
          this.#inFlight.delete(requestHash);
        }
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
    const { messageLog, identity, clock } = this.#deps;
    const logger = this.#deps.logger.child({
      messageId: envelope.id,
      client: envelope.client,
      serviceId: envelope.service,
      hop: 'provider',
    });

    // Bound to this very request: message ids are the clients' choice, a request hash is not.
    const logged = await messageLog.answer(envelope.id, { direction: 'sent', requestHash });
    if (logged !== undefined) {
      logger.info('redelivered message answered from the message log');
      return { answer: logged, redelivered: true };
    }

    const backendRequest = buildBackendRequest(message, route, service.version);
    await messageLog.record({ direction: 'received', message });
    const started = performance.now();
    let response: BackendResponse;
    try {
      response = await this.#backend.call(backendRequest, route.timeoutMs);
    } catch (error) {
      logger.warn('backend call failed', {
        backendUrl: backendRequest.url.origin + backendRequest.url.pathname,
        type: error instanceof OrtooError ? error.type : undefined,
      });
      throw error;
    } finally {
      this.#metrics.backendSeconds.observe({ service: service.id }, (performance.now() - started) / 1000);
    }
    const answer = signMessage(buildBackendAnswer(envelope, response, { now: clock() }), identity.signer);
    await messageLog.record({ direction: 'sent', message: answer });
    logger.info('message answered', { status: answer.envelope.status });
    return { answer, redelivered: false };
  }
}
