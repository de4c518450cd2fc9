import { OrtooError } from '../errors';

/**
 * How deep JSON may nest (arrays and objects inside each other) unless a
 * listener is configured otherwise. Deep enough for any real payload, far
 * from what a recursive walk (canonical JSON, a store's serialiser) can take.
 */
export const DEFAULT_MAX_JSON_DEPTH = 64;

/** Options of {@link parseStrictJson}. */
export interface StrictJsonOptions {
  /**
   * Deepest nesting of arrays and objects accepted.
   * @defaultValue {@link DEFAULT_MAX_JSON_DEPTH}
   */
  readonly maxDepth?: number;
  /** Names the text in errors, e.g. `The body`. @defaultValue `The body` */
  readonly what?: string;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

const BACKSLASH = 0x5c;
const QUOTE = 0x22;
const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;

/** The code unit a `\uXXXX` escape at `at` (the backslash) stands for; NaN when it is not one. */
function escapedUnit(text: string, at: number): number {
  if (text.charCodeAt(at + 1) !== 0x75) return Number.NaN;
  const hex = text.slice(at + 2, at + 6);
  return /^[0-9A-Fa-f]{4}$/.test(hex) ? Number.parseInt(hex, 16) : Number.NaN;
}

function refuse(what: string, message: string, detail: Record<string, unknown>): OrtooError {
  return new OrtooError('BadRequest', `${what} ${message}`, { detail });
}

/**
 * Checks the text of a JSON document before it is parsed, in one pass and
 * without recursion: nesting no deeper than `maxDepth`, and no string (key or
 * value) holding U+0000 or a lone surrogate. Such strings are valid JSON but
 * no store keeps them (PostgreSQL's `text` and `jsonb` refuse both), and a
 * message that cannot be logged must be refused before anything is written.
 * Syntax is left to `JSON.parse`.
 *
 * @throws OrtooError `BadRequest`.
 */
export function checkJsonText(text: string, maxDepth: number, what = 'The body'): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === QUOTE) inString = false;
      else if (c === BACKSLASH) {
        const unit = escapedUnit(text, i);
        if (Number.isNaN(unit)) {
          i += 1; // a short escape such as \n; a broken one is JSON.parse's to refuse
          continue;
        }
        if (unit === 0) throw refuse(what, 'holds U+0000 in a string', { offset: i });
        if (unit >= 0xdc00 && unit <= 0xdfff) {
          throw refuse(what, 'holds a lone surrogate in a string', { offset: i });
        }
        if (unit >= 0xd800 && unit <= 0xdbff) {
          const low = escapedUnit(text, i + 6);
          if (text.charCodeAt(i + 6) !== BACKSLASH || !(low >= 0xdc00 && low <= 0xdfff)) {
            throw refuse(what, 'holds a lone surrogate in a string', { offset: i });
          }
          i += 6;
        }
        i += 5;
      }
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      depth += 1;
      if (depth > maxDepth) {
        throw refuse(what, `nests deeper than ${maxDepth} levels`, { maxDepth });
      }
    } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) depth -= 1;
  }
}

/**
 * The one strict JSON reader of every Örtöö listener: the bytes must be
 * UTF-8 (no byte order mark: RFC 8259 §8.1 forbids sending one, and taking it
 * on one listener but not another would make the same request mean different
 * things), one JSON text, nested no deeper than `maxDepth`, with no U+0000
 * and no lone surrogate in any string (see {@link checkJsonText}).
 *
 * @throws OrtooError `BadRequest` naming what is wrong.
 */
export function parseStrictJson(bytes: Uint8Array, options: StrictJsonOptions = {}): unknown {
  const what = options.what ?? 'The body';
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    throw refuse(what, 'starts with a byte order mark; send UTF-8 JSON without one', {});
  }
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch (cause) {
    throw new OrtooError('BadRequest', `${what} is not valid UTF-8`, { cause });
  }
  checkJsonText(text, options.maxDepth ?? DEFAULT_MAX_JSON_DEPTH, what);
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new OrtooError('BadRequest', `${what} is not a valid JSON text`, { cause });
  }
}

/** U+0000, or a surrogate not paired with its other half. */
// eslint-disable-next-line no-control-regex -- U+0000 is exactly what is looked for
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** True when a store can keep `text` as it is: no U+0000 and no lone surrogate. */
export function isStorableText(text: string): boolean {
  return !UNSTORABLE.test(text);
}
