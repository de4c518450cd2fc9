import { OrtooError, type GlobalConfService } from '../../../core/src';
import type { ServiceMapping } from '../config';

/** One entry of the local configuration's `services`: where a provided service's backend is. */
export type BackendRoute = ServiceMapping;

/**
 * The backend of a service version this server provides, by its local
 * configuration: an entry naming that very version wins over one naming the
 * service without a version (which serves every version). The global
 * configuration says the service exists; only the local one says where it
 * runs, so a service registered but not mapped here is unknown here.
 *
 * @throws OrtooError `UnknownService` when no entry maps it.
 */
export function findBackendRoute(routes: readonly BackendRoute[], service: GlobalConfService): BackendRoute {
  let any: BackendRoute | undefined;
  for (const route of routes) {
    if (route.serviceId !== service.id) continue;
    if (route.version === service.version) return route;
    if (route.version === undefined) any ??= route;
  }
  if (any !== undefined) return any;
  throw new OrtooError(
    'UnknownService',
    `Service ${service.id} version ${service.version} is not provided by this security server`,
    { detail: { service: service.id, version: service.version, reason: 'not-mapped' } },
  );
}
