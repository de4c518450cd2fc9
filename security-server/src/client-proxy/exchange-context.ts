import { formatMemberId, parseServiceId } from '../../../core/src';
import type { SecurityServerDeps } from '../deps';
import type { GatewayClient } from '../gateway-client';

/** What the client proxy's exchanges work with. */
export interface ExchangeContext {
  readonly deps: SecurityServerDeps;
  readonly gateway: Pick<GatewayClient, 'submit' | 'status'>;
}

/** Where a local system reads a message's answer: `GET /r1/messages/{id}`. */
export function messageUrlOf(id: string): string {
  return `/r1/messages/${encodeURIComponent(id)}`;
}

/**
 * The member whose signature an answer from `service` must carry: the owner
 * of the provider subsystem, which an identifier names in its first parts.
 */
export function providerMemberOf(service: string): string {
  return formatMemberId(parseServiceId(service));
}
