import type { RequestEnvelope } from '../envelope/envelope';
import { OrtooError } from '../errors';
import { normalizeRequestPath } from './endpoint-pattern';
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
 * Checks the client may make this call: a right to the whole service, or to
 * an endpoint that covers the envelope's method and path, of its own or of
 * a global group it is in. The path is normalised first (see
 * `endpoint-pattern.ts`); one it refuses — a traversal, an encoded
 * separator — is covered by no endpoint right. The gateway and the
 * provider's security server both call this on the signed envelope.
 *
 * @throws OrtooError `AccessDenied`.
 */
export function authorize(index: GlobalConfIndex, envelope: RequestEnvelope): void {
  const { client, service, method } = envelope;
  const path = normalizeRequestPath(envelope.path);
  if (index.mayCallEndpoint(client, service, method, path)) return;
  if (!index.mayCall(client, service)) {
    throw new OrtooError('AccessDenied', `${client} may not call ${service}`, {
      detail: { client, service },
    });
  }
  const endpoint = `${method} ${envelope.path.slice(0, 200)}`;
  throw new OrtooError('AccessDenied', `${client} may not call ${endpoint} of ${service}`, {
    detail: { client, service, endpoint, ...(path.ok ? {} : { reason: path.reason }) },
  });
}
