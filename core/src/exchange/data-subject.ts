import type { JsonValue } from '../envelope/canonical-json';

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
