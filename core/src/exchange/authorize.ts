import type { RequestEnvelope } from '../envelope/envelope';
import { OrtooError } from '../errors';
import type { GlobalConfService } from '../global-conf/global-conf';
import type { GlobalConfIndex } from '../global-conf/global-conf-index';

/**
 * The service version a request calls: the one it names, or the current one.
 *
 * @throws OrtooError `UnknownService` when there is no such service or
 *   version; `ServiceDisabled` when the administrators switched it off.
 */
export function resolveService(index: GlobalConfIndex, envelope: RequestEnvelope): GlobalConfService {
  const service = index.service(envelope.service, envelope.serviceVersion);
  if (service === undefined) {
    const what =
      envelope.serviceVersion === undefined
        ? envelope.service
        : `${envelope.service} version ${envelope.serviceVersion}`;
    throw new OrtooError('UnknownService', `No service ${what}`, {
      detail: {
        service: envelope.service,
        ...(envelope.serviceVersion === undefined ? {} : { version: envelope.serviceVersion }),
      },
    });
  }
  if (!service.enabled) {
    throw new OrtooError('ServiceDisabled', `Service ${service.id} version ${service.version} is disabled`, {
      detail: { service: service.id, version: service.version },
    });
  }
  return service;
}

/**
 * Checks the client may call the service: an access right of its own, or
 * one of a global group it is in.
 *
 * @throws OrtooError `AccessDenied`.
 */
export function authorize(index: GlobalConfIndex, envelope: RequestEnvelope): void {
  if (index.mayCall(envelope.client, envelope.service)) return;
  throw new OrtooError('AccessDenied', `${envelope.client} may not call ${envelope.service}`, {
    detail: { client: envelope.client, service: envelope.service },
  });
}
