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
    // Message ids are the clients' choice: only an answer bound to a request this server sent will do.
    const logged = await messageLog.answer(id, { direction: 'received' });
    if (logged !== undefined) {
      const answered = await messageLog.request(id, {
        direction: 'sent',
        requestHash: logged.envelope.requestHash,
      });
      if (answered !== undefined && system.clients.has(answered.envelope.client)) {
        return httpAnswerOf(logged, answered);
      }
    }
    let settling = this.#settling.get(id);
    if (settling === undefined) {
      settling = this.#fromGateway(request, system).finally(() => this.#settling.delete(id));
      this.#settling.set(id, settling);
    }
    return settling;
  }

  /** The request this server sent that `answer` (unverified) says it answers; `latest` when none does. */
  async #requestAnswered(
    latest: SignedMessage<RequestEnvelope>,
    answer: unknown,
  ): Promise<SignedMessage<RequestEnvelope>> {
    const requestHash = (answer as { envelope?: { requestHash?: unknown } } | null)?.envelope?.requestHash;
    if (typeof requestHash !== 'string' || requestHash === envelopeHash(latest.envelope)) return latest;
    const sent = await this.#context.deps.messageLog.request(latest.envelope.id, {
      direction: 'sent',
      requestHash,
    });
    return sent ?? latest;
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
    // The answer is the accepted request's, which need not be the latest sent under this id (a
    // resend of another request under a used id is refused as a replay, but logged as sent).
    const answered = await this.#requestAnswered(request, status.answer);
    const answer = verifyAnswer(
      deps.conf.index(),
      status.answer,
      answered,
      providerMemberOf(answered.envelope.service),
    );
    await deps.messageLog.record({ direction: 'received', message: answer, localSystem: system.name });
    return httpAnswerOf(answer, answered);
  }
}
