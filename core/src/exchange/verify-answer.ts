import { envelopeHash } from '../envelope/digest';
import type { RequestEnvelope, ResponseEnvelope, SignedMessage } from '../envelope/envelope';
import { OrtooError, toOrtooError } from '../errors';
import type { GlobalConfIndex } from '../global-conf/global-conf-index';
import { checkForwardedHeaders } from './forwarded-headers';
import { validateSignedMessage } from './signed-message-schema';
import { verifySignedBy } from './verify-signed-by';

/** Why an answer does not belong to its request, or undefined when it does. */
function mismatch(answer: ResponseEnvelope, request: RequestEnvelope): string | undefined {
  if (answer.id !== request.id) return 'message id';
  if (answer.client !== request.client) return 'client';
  if (answer.service !== request.service) return 'service';
  if (answer.requestHash !== envelopeHash(request)) return 'request hash';
  return undefined;
}

/**
 * Verifies a provider's answer to `request`: a well-formed response envelope,
 * bound to this very request (id, parties and the request's hash), signed by
 * the member that provides the service. Used by the gateway on delivery and by
 * the consumer's server on receipt.
 *
 * @param providerMemberId - the member whose signing certificate must have signed it.
 * @throws OrtooError `InvalidAnswer`, the failed check's own error kept as `cause` and
 *   its type in `detail.reason`.
 */
export function verifyAnswer(
  index: GlobalConfIndex,
  answer: unknown,
  request: SignedMessage<RequestEnvelope>,
  providerMemberId: string,
): SignedMessage<ResponseEnvelope> {
  try {
    const message = validateSignedMessage(answer, 'response');
    checkForwardedHeaders(message.envelope);
    const wrong = mismatch(message.envelope, request.envelope);
    if (wrong !== undefined) {
      throw new OrtooError('InvalidAnswer', `Answer does not match its request: ${wrong}`, {
        detail: { reason: 'mismatch', field: wrong },
      });
    }
    verifySignedBy(index, message, providerMemberId);
    return message;
  } catch (error) {
    const cause = toOrtooError(error);
    if (cause.code === 'InvalidAnswer') throw cause;
    throw new OrtooError('InvalidAnswer', `Provider's answer refused: ${cause.message}`, {
      detail: { reason: cause.type },
      cause,
    });
  }
}
