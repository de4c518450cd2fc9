import {
  OrtooError,
  authorize,
  checkForwardedHeaders,
  formatMemberId,
  parseSubsystemId,
  resolveService,
  validateSignedMessage,
  verifyRequest,
  type GlobalConfIndex,
  type GlobalConfService,
  type RequestEnvelope,
  type SignedMessage,
} from '../../../core/src';
import { findBackendRoute, type BackendRoute } from './backend-route';

/** Who this provider is, for {@link checkDelivery}. */
export interface ProviderScope {
  /** The member this security server belongs to, e.g. `MN/GOV/9011311`. */
  readonly memberId: string;
  /** This security server, e.g. `MN/GOV/9011311/ss1`: a request meant for another of the member's servers is refused. */
  readonly serverId?: string;
  /** The local configuration's service → backend mapping. */
  readonly routes: readonly BackendRoute[];
}

/** A delivered request that passed every check, and where it goes. */
export interface AcceptedDelivery {
  readonly message: SignedMessage<RequestEnvelope>;
  /** The service version it calls, from the global configuration. */
  readonly service: GlobalConfService;
  readonly route: BackendRoute;
}

/**
 * The provider's own checks of a request the gateway delivered, in order:
 * a well-formed signed request with allow-listed headers → signed by the
 * client's own member (end to end: a compromised gateway cannot forge it) →
 * the service and version exist and are enabled → it is a service of this
 * server's member (and this server, when the consumer named one with
 * X-Road-Security-Server) → the client has an access right in the global
 * configuration to the whole service or to an endpoint that covers the
 * signed envelope's method and path (the gateway checked it too; this is
 * defence in depth against a gateway that forwards what it should not) →
 * the local configuration maps it to a backend. Freshness is not checked:
 * the gateway retries (and replays dead letters) long after `issuedAt`;
 * replays are absorbed by the message log's memory of message ids.
 *
 * @throws OrtooError `InvalidEnvelope`, the signature errors of `verifyRequest`,
 *   `UnknownService`, `ServiceDisabled` or `AccessDenied`.
 */
export function checkDelivery(index: GlobalConfIndex, raw: unknown, scope: ProviderScope): AcceptedDelivery {
  const message = validateSignedMessage(raw, 'request');
  checkForwardedHeaders(message.envelope);
  verifyRequest(index, message);
  const service = resolveService(index, message.envelope);
  const providerMember = formatMemberId(parseSubsystemId(service.providerId));
  if (providerMember !== scope.memberId) {
    throw new OrtooError('UnknownService', `Service ${service.id} is not provided by ${scope.memberId}`, {
      detail: { service: service.id, provider: providerMember, reason: 'other-member' },
    });
  }
  const asked = message.envelope.securityServer;
  if (asked !== undefined && scope.serverId !== undefined && asked !== scope.serverId) {
    throw new OrtooError(
      'UnknownTargetServer',
      `The request is for security server ${asked}, not ${scope.serverId}`,
      {
        detail: { securityServer: asked, reason: 'other-server' },
      },
    );
  }
  authorize(index, message.envelope);
  const route = findBackendRoute(scope.routes, service);
  return { message, service, route };
}
