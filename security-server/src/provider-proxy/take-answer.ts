import {
  OrtooError,
  envelopeHash,
  formatMemberId,
  parseServiceId,
  validateSignedMessage,
  verifyAnswer,
  type ResponseEnvelope,
  type SignedMessage,
} from '../../../core/src';
import type { SecurityServerDeps } from '../deps';

/** What {@link takeAnswer} uses of the security server. */
export type TakeAnswerDeps = Pick<SecurityServerDeps, 'conf' | 'messageLog'>;

/**
 * Takes an answer the gateway brings back (`POST /v1/answers`, for a request
 * sent with `Prefer: respond-async, ortoo-callback`): it must answer a
 * request this server sent (found in the message log), be bound to it and
 * be signed by the service's provider member ({@link verifyAnswer}); then it
 * is logged as received. An answer
 * already logged is taken again without a second record (the gateway
 * retries callbacks whose acknowledgement it lost).
 *
 * @returns the verified answer.
 * @throws OrtooError `InvalidEnvelope`; `NotFound` for an answer to no request
 *   of this server; `InvalidAnswer`; the message log's errors.
 */
export async function takeAnswer(
  deps: TakeAnswerDeps,
  raw: unknown,
): Promise<SignedMessage<ResponseEnvelope>> {
  const { id } = validateSignedMessage(raw, 'response').envelope;
  const request = await deps.messageLog.request(id, { direction: 'sent' });
  if (request === undefined) {
    throw new OrtooError('NotFound', `No request ${id} was sent from this security server`, {
      detail: { id },
    });
  }
  const provider = formatMemberId(parseServiceId(request.envelope.service));
  const answer = verifyAnswer(deps.conf.index(), raw, request, provider);
  const logged = await deps.messageLog.answer(id, {
    direction: 'received',
    requestHash: answer.envelope.requestHash,
  });
  if (logged === undefined || envelopeHash(logged.envelope) !== envelopeHash(answer.envelope)) {
    await deps.messageLog.record({ direction: 'received', message: answer });
  }
  return answer;
}
