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
