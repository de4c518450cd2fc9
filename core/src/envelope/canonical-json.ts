import { OrtooError } from '../errors';

/** A JSON value as `JSON.parse` returns it. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

function refuse(what: string): never {
  throw new OrtooError('BadRequest', `Value cannot be represented as canonical JSON: ${what}`);
}

/** Strings JSON can carry between quotes as they are: no quote, backslash, control character or surrogate. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what must be escaped
const PLAIN_STRING = /^[^"\\\u0000-\u001f\ud800-\udfff]*$/;

/** A JSON string literal; `JSON.stringify` escapes exactly as RFC 8785 §3.2.2.2 asks, but costs more per call. */
function quote(text: string): string {
  return PLAIN_STRING.test(text) ? `"${text}"` : JSON.stringify(text);
}

/*
 * Written here rather than taken from the `canonicalize` package (which the
 * tests use as a reference to check this against): it runs on every message,
 * on the sender's and on the receiver's side, and plain loops with a fast path
 * for strings that need no escaping are faster than the package's reduce and
 * template strings. Numbers print as ECMAScript's Number#toString, which is
 * RFC 8785's number form.
 */
function serialise(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'number':
      if (!Number.isFinite(value)) refuse(String(value));
      return String(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i += 1) {
          if (i > 0) out += ',';
          out += value[i] === undefined ? refuse('undefined in an array') : serialise(value[i]);
        }
        return `${out}]`;
      }
      const toJSON = (value as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === 'function') return serialise(toJSON.call(value));
      const record = value as Record<string, unknown>;
      // The default sort compares UTF-16 code units, exactly the order RFC 8785 §3.2.3 asks for.
      const keys = Object.keys(record).sort();
      let out = '{';
      for (const key of keys) {
        const member = record[key];
        if (member === undefined) continue; // as JSON.stringify: an absent optional field
        if (out.length > 1) out += ',';
        out += `${quote(key)}:${serialise(member)}`;
      }
      return `${out}}`;
    }
    default:
      return refuse(typeof value);
  }
}

/**
 * The RFC 8785 (JCS) canonical form of a JSON value: object members sorted by
 * UTF-16 code units, no whitespace, numbers in ECMAScript's shortest form,
 * strings with only the escapes JSON requires (so Cyrillic text stays as is).
 * Signatures and digests are always taken over this form, never over the bytes
 * a sender happened to write. Object members whose value is `undefined` are
 * left out, as `JSON.stringify` does.
 *
 * @throws OrtooError `BadRequest` for values JSON cannot carry (NaN, Infinity,
 *   undefined, functions, bigints) and for nesting too deep to walk.
 */
export function canonicalJson(value: unknown): string {
  try {
    return serialise(value);
  } catch (cause) {
    if (cause instanceof OrtooError) throw cause;
    // A stack overflow on absurdly deep nesting.
    throw new OrtooError('BadRequest', 'Value cannot be represented as canonical JSON', { cause });
  }
}
