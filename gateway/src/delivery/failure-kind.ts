import type { ErrorCode, OrtooError } from '../../../core/src';

/**
 * Failures that may pass by themselves: the provider or its backend is down
 * or slow, its configuration is out of date, or one of the gateway's own stores is. A delivery that fails so
 * is tried again after a backoff; any other failure (the provider refused
 * the request, its answer is invalid) would fail the same way again.
 */
const TRANSIENT: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'ProviderUnavailable',
  'ProviderTimeout',
  'BackendUnavailable',
  'BackendTimeout',
  'QueueUnavailable',
  'AuditUnavailable',
  'DatabaseError',
  // The provider's server has no valid global configuration yet (or again): it will.
  'ConfigurationExpired',
]);

/** True when a delivery that failed with `error` is worth trying again. */
export function isTransientFailure(error: OrtooError): boolean {
  return TRANSIENT.has(error.code);
}

/** Why a connection was never made: the request cannot have reached its peer. */
const NEVER_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** The `reason` an error's detail names (a system error code, mostly). */
function reasonOf(error: OrtooError): unknown {
  return (error.detail as { reason?: unknown } | null | undefined)?.reason;
}

/**
 * True when waiting and trying again within a sync caller's deadline is
 * pointless: nothing listens at the provider's server (connection refused)
 * or the provider says its backend cannot be reached. The caller is better
 * told at once.
 */
export function isPlainlyDown(error: OrtooError): boolean {
  if (error.code === 'BackendUnavailable') return true;
  const reason = reasonOf(error);
  return error.code === 'ProviderUnavailable' && typeof reason === 'string' && NEVER_CONNECTED.has(reason);
}

/**
 * True when a failed attempt may still have reached the backend: the
 * provider's server or its backend got the request and no answer came back
 * (a timeout, a connection reset mid-call, a backend call whose end is
 * unknown). False when it plainly did not: no connection, a refusal before
 * the provider's server let it through, the gateway's own stores, a backend
 * that refused the connection.
 */
export function mayHaveReachedBackend(error: OrtooError): boolean {
  const reason = reasonOf(error);
  switch (error.code) {
    case 'ProviderTimeout':
    case 'BackendTimeout':
      return true;
    case 'BackendUnavailable':
      return !(typeof reason === 'string' && NEVER_CONNECTED.has(reason));
    case 'ProviderUnavailable':
      // The provider's server took the connection and dropped it: the request may have got in.
      return typeof reason === 'string' && /ECONNRESET|EPIPE|hang up/i.test(reason);
    default:
      return false;
  }
}
