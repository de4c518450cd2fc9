import type { RequestEnvelope, SignedMessage } from '../envelope/envelope';
import { OrtooError } from '../errors';
import type { GlobalConfIndex, IndexedSignCertificate } from '../global-conf/global-conf-index';
import { verifySignedBy } from './verify-signed-by';

/**
 * The member a client subsystem belongs to, by the global configuration.
 *
 * @throws OrtooError `AccessDenied` when the subsystem is not registered.
 */
export function clientMemberOf(index: GlobalConfIndex, clientId: string): string {
  const subsystem = index.subsystem(clientId);
  if (subsystem === undefined) {
    throw new OrtooError('AccessDenied', `Client ${clientId} is not a registered subsystem`, {
      detail: { client: clientId },
    });
  }
  return subsystem.memberId;
}

/**
 * Verifies a consumer's request end to end: it was signed by the client's
 * own member (see {@link verifySignedBy}), whoever forwarded it. The gateway
 * checks this on arrival and the provider's server again on delivery, so a
 * compromised hop in between cannot forge a request.
 */
export function verifyRequest(
  index: GlobalConfIndex,
  message: SignedMessage<RequestEnvelope>,
): IndexedSignCertificate {
  return verifySignedBy(index, message, clientMemberOf(index, message.envelope.client));
}
