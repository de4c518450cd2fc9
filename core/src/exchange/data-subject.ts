import type { JsonValue } from '../envelope/canonical-json';
import type { RequestEnvelope } from '../envelope/envelope';
import type { GlobalConfService } from '../global-conf/global-conf';
import { endpointMatcherOf } from '../openapi/endpoint-matcher';

/** Undoes the escapes of one JSON Pointer reference token (RFC 6901 §4). */
function unescapeToken(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

/**
 * The data subject's identifier in a request body, found by the service's
 * JSON pointer (RFC 6901), e.g. `/registerNumber`. Only a string or a number
 * names a subject; anything else, a missing member or a body that is not
 * JSON gives undefined.
 */
export function dataSubjectOf(pointer: string | undefined, body: JsonValue | undefined): string | undefined {
  if (pointer === undefined || body === undefined || (pointer !== '' && !pointer.startsWith('/'))) {
    return undefined;
  }
  let value: JsonValue | undefined = body;
  for (const token of pointer === '' ? [] : pointer.slice(1).split('/').map(unescapeToken)) {
    if (Array.isArray(value)) {
      value = /^(0|[1-9]\d*)$/.test(token) ? value[Number(token)] : undefined;
    } else if (value !== null && typeof value === 'object') {
      value = Object.hasOwn(value, token) ? value[token] : undefined;
    } else {
      return undefined;
    }
  }
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

/** A data subject named by a request parameter: `path:NAME` or `query:NAME`. */
const PARAMETER_POINTER = /^(path|query):(.+)$/;

/**
 * The data subject of a request, by the service's pointer: a JSON pointer
 * into the body (see {@link dataSubjectOf}), `query:NAME` for a query
 * parameter (its first value), or `path:NAME` for a parameter of the path
 * template of the service's endpoint the request matches (so
 * `GET /persons/{registerNumber}` names its subject with
 * `path:registerNumber`). Undefined when the request does not carry it.
 */
export function requestDataSubject(
  service: Pick<GlobalConfService, 'dataSubjectPointer' | 'endpoints'>,
  envelope: Pick<RequestEnvelope, 'method' | 'path' | 'query'>,
  body: JsonValue | undefined,
): string | undefined {
  const pointer = service.dataSubjectPointer;
  if (pointer === undefined) return undefined;
  const parameter = PARAMETER_POINTER.exec(pointer);
  if (parameter === null) return dataSubjectOf(pointer, body);
  const [, where, name] = parameter as unknown as [string, 'path' | 'query', string];
  let value: string | null | undefined;
  if (where === 'query') {
    value = new URLSearchParams(envelope.query).get(name);
  } else if (service.endpoints !== undefined) {
    const found = endpointMatcherOf(service.endpoints).match(envelope.method, envelope.path);
    value = found.kind === 'matched' ? found.params[name] : undefined;
  }
  return value === null || value === undefined || value === '' ? undefined : value;
}
