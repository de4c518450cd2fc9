/**
 * An agency's own system talking to its security server's client proxy, in
 * X-Road's Message Protocol for REST: exactly what any X-Road REST client sends.
 */
import type { DemoNetworkAgency } from '../network-file';
import { field, httpRequest, loopbackUrl, type HttpAnswer } from './http';
import type { Observed } from './outcome';
import type { PlannedCall } from './plan';

/** `/r1/` and the service id, each part percent-encoded as X-Road's protocol encodes them. */
export function servicePath(serviceId: string): string {
  return `/r1/${serviceId.split('/').map(encodeURIComponent).join('/')}`;
}

/** The headers of a planned call, as its agency's system sends them. */
export function callHeaders(call: PlannedCall, agency: Pick<DemoNetworkAgency, 'subsystemId' | 'apiKey'>) {
  return {
    'X-Road-Client': agency.subsystemId,
    Authorization: `Bearer ${agency.apiKey}`,
    ...(call.body === undefined ? {} : { 'Content-Type': 'application/json' }),
    'X-Road-Id': call.id,
    'X-Road-UserId': call.userId,
    'X-Road-Issue': call.issue,
    ...(call.async ? { Prefer: 'respond-async' } : {}),
  };
}

/** What an answer says about the call: status, `X-Road-Error`, the register number its body names. */
export function observe(answer: HttpAnswer): Omit<Observed, 'ms'> {
  const xRoadError = answer.headers.get('x-road-error') ?? undefined;
  const registerNumber = field(answer.json, 'registerNumber');
  return {
    status: answer.status,
    ...(xRoadError === undefined ? {} : { xRoadError }),
    ...(typeof registerNumber === 'string' ? { registerNumber } : {}),
  };
}

/** One agency's client proxy, as its own system (acting as its subsystem) uses it. */
export class ProxyClient {
  readonly #baseUrl: string;
  readonly #agency: DemoNetworkAgency;

  constructor(agency: DemoNetworkAgency, what: string) {
    this.#baseUrl = loopbackUrl(agency.clientUrl, `${what}'s client proxy`);
    this.#agency = agency;
  }

  /** `POST /r1/{service}` with the call's body, or `GET /r1/{service}{path}`, with its headers. */
  send(call: PlannedCall, signal: AbortSignal): Promise<HttpAnswer> {
    return httpRequest(
      {
        method: call.method,
        url: `${this.#baseUrl}${servicePath(call.service)}${call.path}`,
        headers: callHeaders(call, this.#agency),
        ...(call.body === undefined ? {} : { body: call.body }),
      },
      signal,
    );
  }

  /** `GET /r1/messages/{id}`: 202 while the delivery goes on, then the answer as a sync call gives it. */
  message(id: string, signal: AbortSignal): Promise<HttpAnswer> {
    return httpRequest(
      {
        method: 'GET',
        url: `${this.#baseUrl}/r1/messages/${encodeURIComponent(id)}`,
        headers: { Authorization: `Bearer ${this.#agency.apiKey}` },
      },
      signal,
    );
  }
}
