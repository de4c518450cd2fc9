/**
 * Values come back as the same JavaScript types, with the same values, from
 * PostgreSQL and from PGlite: code written against one runs on the other.
 */
import type { SqlStore } from '../../../core/src/store';
import { pgliteEngine, postgresEngine } from '../../helpers/store-engines';

const EVERY_TYPE = `SELECT
  42::int2 AS int2,
  2147483647::int4 AS int4,
  9007199254740991::int8 AS int8,
  -9007199254740991::int8 AS int8_min,
  1.5::float4 AS float4,
  0.1::float8 AS float8,
  '12345678901234567890.123456789'::numeric AS numeric,
  true AS bool,
  'Бат-Эрдэнэ'::text AS text,
  'ab'::char(3) AS bpchar,
  '3fa85f64-5717-4562-b3fc-2c963f66afa6'::uuid AS uuid,
  '2024-02-29'::date AS date,
  '2024-02-29T10:20:30.123+08:00'::timestamptz AS timestamptz,
  '2024-02-29 10:20:30.123'::timestamp AS timestamp,
  '1 day 02:03:04'::interval AS interval,
  '{"a": [1, "б"], "n": null}'::jsonb AS jsonb,
  '[1, 2]'::json AS json,
  '\\x00ff10'::bytea AS bytea,
  ARRAY[1, 9007199254740991]::int8[] AS int8_array,
  ARRAY[1, 2]::int4[] AS int4_array,
  ARRAY['1.10', NULL]::numeric[] AS numeric_array,
  ARRAY['2024-01-01']::date[] AS date_array,
  ARRAY['2024-01-01T00:00:00Z']::timestamptz[] AS timestamptz_array,
  ARRAY['a', 'б']::text[] AS text_array,
  ARRAY['{"a": 1}']::jsonb[] AS jsonb_array,
  ARRAY[true, false]::bool[] AS bool_array,
  NULL::int8 AS null_int8,
  NULL::jsonb AS null_jsonb`;

const EXPECTED = {
  int2: 42,
  int4: 2147483647,
  int8: Number.MAX_SAFE_INTEGER,
  int8_min: Number.MIN_SAFE_INTEGER,
  float4: 1.5,
  float8: 0.1,
  numeric: '12345678901234567890.123456789',
  bool: true,
  text: 'Бат-Эрдэнэ',
  bpchar: 'ab ',
  uuid: '3fa85f64-5717-4562-b3fc-2c963f66afa6',
  date: '2024-02-29',
  timestamptz: new Date('2024-02-29T02:20:30.123Z'),
  // timestamp without time zone is read as local time (prefer timestamptz).
  timestamp: new Date(2024, 1, 29, 10, 20, 30, 123),
  interval: '1 day 02:03:04',
  jsonb: { a: [1, 'б'], n: null },
  json: [1, 2],
  bytea: Buffer.from([0x00, 0xff, 0x10]),
  int8_array: [1, Number.MAX_SAFE_INTEGER],
  int4_array: [1, 2],
  numeric_array: ['1.10', null],
  date_array: ['2024-01-01'],
  timestamptz_array: [new Date('2024-01-01T00:00:00Z')],
  text_array: ['a', 'б'],
  jsonb_array: [{ a: 1 }],
  bool_array: [true, false],
  null_int8: null,
  null_jsonb: null,
};

describe('value types on PostgreSQL and PGlite', () => {
  const postgres = postgresEngine();
  const pglite = pgliteEngine();
  let stores: { postgres: SqlStore; pglite: SqlStore };

  beforeAll(async () => {
    stores = { postgres: await postgres.openIsolated(), pglite: await pglite.openIsolated() };
  });

  afterAll(() => Promise.all([postgres.cleanup(), pglite.cleanup()]));

  test.each(['postgres', 'pglite'] as const)('%s reads every type as documented', async (engine) => {
    expect(await stores[engine].query(EVERY_TYPE)).toStrictEqual([EXPECTED]);
  });

  test('both engines give identical rows, types included', async () => {
    const [fromPostgres, fromPglite] = await Promise.all([
      stores.postgres.query(EVERY_TYPE),
      stores.pglite.query(EVERY_TYPE),
    ]);
    expect(fromPglite).toStrictEqual(fromPostgres);
  });

  test('values written through parameters read back identically on both engines', async () => {
    const sql = `SELECT $1::int8 AS big, $2::numeric AS exact, $3::timestamptz AS at, $4::date AS day,
      $5::jsonb AS doc, $6::bytea AS bytes, $7::bool AS flag, $8::text AS name`;
    const params = [
      -12n,
      '0.10',
      new Date('2024-12-31T23:59:59.999Z'),
      '2024-12-31',
      { name: 'Сарнай', tags: ['a'] },
      new Uint8Array([1, 2, 3]),
      true,
      'Бат-Эрдэнэ',
    ];
    const [fromPostgres, fromPglite] = await Promise.all([
      stores.postgres.query(sql, params),
      stores.pglite.query(sql, params),
    ]);
    expect(fromPostgres).toStrictEqual([
      {
        big: -12,
        exact: '0.10',
        at: new Date('2024-12-31T23:59:59.999Z'),
        day: '2024-12-31',
        doc: { name: 'Сарнай', tags: ['a'] },
        bytes: Buffer.from([1, 2, 3]),
        flag: true,
        name: 'Бат-Эрдэнэ',
      },
    ]);
    expect(fromPglite).toStrictEqual(fromPostgres);
  });
});
