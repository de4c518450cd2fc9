import canonicalize from 'canonicalize';
import { OrtooError } from '../errors';

/** A JSON value as `JSON.parse` returns it. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * The RFC 8785 (JCS) canonical form of a JSON value: object members sorted by
 * UTF-16 code units, no whitespace, numbers in ECMAScript's shortest form,
 * strings with only the escapes JSON requires (so Cyrillic text stays as is).
 * Signatures and digests are always taken over this form, never over the bytes
 * a sender happened to write.
 *
 * @throws OrtooError `BadRequest` for values JSON cannot carry (NaN, Infinity, undefined).
 */
export function canonicalJson(value: unknown): string {
  let text: string | undefined;
  try {
    text = canonicalize(value);
  } catch (cause) {
    throw new OrtooError('BadRequest', 'Value cannot be represented as canonical JSON', { cause });
  }
  if (text === undefined) throw new OrtooError('BadRequest', 'Value cannot be represented as canonical JSON');
  return text;
}
