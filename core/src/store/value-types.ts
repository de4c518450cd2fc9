/**
 * How values cross between JavaScript and SQL, the same on both engines.
 *
 * `pg` and PGlite disagree out of the box (`int8` is a string in one and a
 * number or `bigint` in the other, `bytea` a `Buffer` or a `Uint8Array`,
 * `date` a local-midnight `Date` or a UTC one). Both are given the parsers
 * below, per pool or per instance, never through `pg`'s global type registry.
 *
 * | SQL type | JavaScript |
 * |---|---|
 * | `int2`, `int4`, `oid`, `float4`, `float8` | `number` |
 * | `int8` (`bigint`, `bigserial`) | `number`; a value beyond ±(2^53 − 1) throws `DatabaseError` (select it `::text` or `::numeric` instead) |
 * | `numeric` | `string`, exact |
 * | `text`, `varchar`, `char`, `uuid` | `string` |
 * | `boolean` | `boolean` |
 * | `timestamptz`, `timestamp` | `Date` (`timestamp` read as local time: prefer `timestamptz`) |
 * | `date` | `string`, `YYYY-MM-DD`: a calendar day has no time zone |
 * | `interval` | `string`, as PostgreSQL prints it |
 * | `json`, `jsonb` | the parsed value |
 * | `bytea` | `Buffer` |
 * | arrays of the above | arrays of the same |
 */
import pg from 'pg';

import { OrtooError } from '../errors';

/** Turns PostgreSQL's text form of one value into its JavaScript value. */
export type TextParser = (text: string) => unknown;

/** PostgreSQL type ids (`pg_type.oid`) of the types parsed here. */
const OID = {
  bool: 16,
  bytea: 17,
  int8: 20,
  int2: 21,
  int4: 23,
  oid: 26,
  json: 114,
  float4: 700,
  float8: 701,
  date: 1082,
  timestamp: 1114,
  timestamptz: 1184,
  interval: 1186,
  numeric: 1700,
  jsonb: 3802,
  int8Array: 1016,
  dateArray: 1182,
  intervalArray: 1187,
  numericArray: 1231,
  textArray: 1009,
} as const;

/** `pg`'s stock parser for a type, read (never changed) from its registry. */
function stock(oid: number): TextParser {
  return pg.types.getTypeParser(oid, 'text') as TextParser;
}

const keepText: TextParser = (text) => text;

function parseInt8(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) {
    throw new OrtooError(
      'DatabaseError',
      `int8 value ${text} does not fit a JavaScript number; select it as text or numeric`,
    );
  }
  return value;
}

/**
 * Parsers of scalar types, given to both engines. PGlite builds its array
 * parsers from these; `pg` needs {@link PG_ARRAY_PARSERS} as well.
 */
export const SCALAR_PARSERS: Readonly<Record<number, TextParser>> = {
  [OID.bool]: stock(OID.bool),
  [OID.bytea]: stock(OID.bytea),
  [OID.int8]: parseInt8,
  [OID.int2]: stock(OID.int2),
  [OID.int4]: stock(OID.int4),
  [OID.oid]: stock(OID.oid),
  [OID.json]: stock(OID.json),
  [OID.jsonb]: stock(OID.jsonb),
  [OID.float4]: stock(OID.float4),
  [OID.float8]: stock(OID.float8),
  [OID.numeric]: keepText,
  [OID.date]: keepText,
  [OID.timestamp]: stock(OID.timestamp),
  [OID.timestamptz]: stock(OID.timestamptz),
  [OID.interval]: keepText,
};

const parseTextArray = stock(OID.textArray) as (text: string) => unknown[];

function mapArray(values: readonly unknown[], parse: TextParser): unknown[] {
  return values.map((value) =>
    value === null ? null : Array.isArray(value) ? mapArray(value, parse) : parse(value as string),
  );
}

/** `pg`'s stock array parsers that disagree with their element parser above. */
const PG_ARRAY_PARSERS: Readonly<Record<number, TextParser>> = {
  [OID.int8Array]: (text) => mapArray(parseTextArray(text), parseInt8),
  [OID.numericArray]: parseTextArray,
  [OID.dateArray]: parseTextArray,
  [OID.intervalArray]: parseTextArray,
};

/** The `types` option of a `pg` pool: the parsers above, `pg`'s own for the rest. */
export const PG_TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    format === 'binary'
      ? pg.types.getTypeParser(oid, 'binary')
      : (SCALAR_PARSERS[oid] ??
        PG_ARRAY_PARSERS[oid] ??
        stock(oid))) as pg.CustomTypesConfig['getTypeParser'],
};

/**
 * Turns query parameters into what both engines send the same way: `undefined`
 * becomes `null`, a `bigint` its decimal string, a `Date` its ISO 8601 form
 * (`pg` would otherwise use the process's time zone), a plain object its JSON
 * text (PGlite would otherwise send `[object Object]` to an untyped parameter).
 *
 * @throws OrtooError `DatabaseError` for an invalid `Date`.
 */
export function toParams(params: readonly unknown[]): unknown[] {
  return params.map((value, index) => toParam(value, index + 1));
}

function toParam(value: unknown, position: number): unknown {
  if (value === undefined) return null;
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) {
      throw new OrtooError('DatabaseError', `Query parameter $${position} is an invalid Date`);
    }
    return value.toISOString();
  }
  if (value instanceof Uint8Array) return value;
  if (Array.isArray(value)) return value.map((item: unknown) => toParam(item, position));
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return value;
}
