import {
  OrtooError,
  envelopeHash,
  verifyAnswer,
  type RequestEnvelope,
  type SignedMessage,
} from '../../../core/src';
import type { AuthenticatedLocalSystem } from '../local-systems';
import { providerMemberOf, type ExchangeContext } from './exchange-context';
import { httpAnswerOf, jsonAnswer, xRoadHeadersOf, type HttpAnswer } from './http-answer';

/** What a message id may be (the envelope schema's rule); anything else cannot be one. */
const MESSAGE_ID = /^[A-Za-z0-9._-]{1,128}$/;

/**
 * `GET /r1/messages/{id}`: the answer to a message a local system sent,
 * typically asynchronously, exactly as a sync call would have given it.
 *
 * Only messages this server sent for the local system's own clients are
 * visible (to it, any other does not exist). The answer comes from the message log when this
 * server already has it (a sync call, a callback of the gateway, an earlier
 * read), else from the gateway: verified like a sync answer and logged once.
 * While the delivery goes on the answer is 202 `{id, state, attempts}`; a
 * dead letter is `Server.ServerProxy.DeliveryFailed` with the gateway's reason.
 */
export class MessageAnswers {
  readonly #context: ExchangeContext;
  /** Answers being fetched and logged, by message id: concurrent reads share one. */
  readonly #settling = new Map<string, Promise<HttpAnswer>>();

  constructor(context: ExchangeContext) {
    this.#context = context;
  }

  /**
   * The answer to message `id` for `system`.
   *
   * @throws OrtooError `NotFound`, `DeliveryFailed`, `InvalidAnswer`, or the gateway's own.
   */
  async answer(system: AuthenticatedLocalSystem, id: string): Promise<HttpAnswer> {
    const { messageLog } = this.#context.deps;
    const request = MESSAGE_ID.test(id) ? await messageLog.request(id, { direction: 'sent' }) : undefined;
    if (request === undefined || !system.clients.has(request.envelope.client)) {
      throw new OrtooError('NotFound', `No message ${id.slice(0, 128)}`, {
        detail: { id: id.slice(0, 128) },
      });
    }
    // Message ids are the clients' choice: only an answer bound to this very request will do.
    const logged = await messageLog.answer(id, { requestHash: envelopeHash(request.envelope) });
    if (logged !== undefined) return httpAnswerOf(logged);
    let settling = this.#settling.get(id);
    if (settling === undefined) {
      settling = this.#fromGateway(request, system).finally(() => this.#settling.delete(id));
      this.#settling.set(id, settling);
    }
    return settling;
  }

  async #fromGateway(
    request: SignedMessage<RequestEnvelope>,
    system: AuthenticatedLocalSystem,
  ): Promise<HttpAnswer> {
    const { deps, gateway } = this.#context;
    const { id } = request.envelope;
    const status = await gateway.status(id);
    if (status.state === 'dead-lettered') {
      throw new OrtooError('DeliveryFailed', `Message ${id} could not be delivered`, {
        detail: { id, ...(status.reason === undefined ? {} : { reason: status.reason }) },
      });
    }
    if (status.state !== 'delivered' || status.answer === undefined) {
      return jsonAnswer(
        202,
        {
          id,
          state: status.state,
          attempts: status.attempts,
          ...(status.reason === undefined ? {} : { reason: status.reason }),
        },
        xRoadHeadersOf(request.envelope),
      );
    }
    const answer = verifyAnswer(
      deps.conf.index(),
      status.answer,
      request,
      providerMemberOf(request.envelope.service),
    );
    await deps.messageLog.record({ direction: 'received', message: answer, localSystem: system.name });
    return httpAnswerOf(answer);
  }
}
