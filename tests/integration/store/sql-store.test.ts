/**
 * The SqlStore contract, run against PostgreSQL and PGlite alike: what passes
 * on one engine must pass on the other.
 */
import { OrtooError, isOrtooError } from '../../../core/src/errors';
import { type SqlExecutor, type SqlStore, sqlStateOf } from '../../../core/src/store';
import { STORE_ENGINES, storeEngine } from '../../helpers/store-engines';

const NAME = 'Бат-Эрдэнэ';

describe.each(STORE_ENGINES)('SqlStore on %s', (engineName) => {
  const engine = storeEngine(engineName);
  let store: SqlStore;

  beforeAll(async () => {
    store = await engine.openIsolated();
    await store.exec(`
      CREATE TABLE people (id bigserial PRIMARY KEY, name text NOT NULL UNIQUE, profile jsonb);
      CREATE TABLE counters (id int PRIMARY KEY, value int NOT NULL);
    `);
  });

  afterAll(() => engine.cleanup());

  beforeEach(() => store.exec('TRUNCATE people, counters'));

  const count = async (executor: SqlExecutor = store): Promise<number> => {
    const [row] = await executor.query<{ n: number }>('SELECT count(*) AS n FROM people');
    return row?.n ?? -1;
  };

  test('names its engine', () => {
    expect(store.engine).toBe(engineName);
  });

  test('binds Cyrillic text and jsonb parameters and reads them back unchanged', async () => {
    const profile = { city: 'Улаанбаатар', children: ['Тэмүүлэн', 'Сарнай'], age: 42, verified: true };
    const [inserted] = await store.query<{ id: number }>(
      'INSERT INTO people (name, profile) VALUES ($1, $2) RETURNING id',
      [NAME, profile],
    );
    expect(typeof inserted?.id).toBe('number');

    const rows = await store.query('SELECT name, profile FROM people WHERE name = $1', [NAME]);
    expect(rows).toStrictEqual([{ name: NAME, profile }]);
    const [found] = await store.query<{ city: string }>(
      "SELECT profile->>'city' AS city FROM people WHERE id = $1",
      [inserted?.id],
    );
    expect(found?.city).toBe('Улаанбаатар');
  });

  test('binds the other parameter kinds the same way', async () => {
    const at = new Date('2024-05-01T08:30:00.250Z');
    const [row] = await store.query(
      'SELECT $1::int8 AS big, $2::timestamptz AS at, $3::bytea AS bytes, $4::jsonb AS list, $5::int8[] AS ids, $6::text AS missing, $7::boolean AS flag, $8::text[] AS names',
      [12n, at, Buffer.from([0, 255]), JSON.stringify([1, 'б']), [1, 2], undefined, false, [NAME, 'x']],
    );
    expect(row).toStrictEqual({
      big: 12,
      at,
      bytes: Buffer.from([0, 255]),
      list: [1, 'б'],
      ids: [1, 2],
      missing: null,
      flag: false,
      names: [NAME, 'x'],
    });
  });

  test('commits a transaction and returns what its callback returned', async () => {
    const result = await store.transaction(async (tx) => {
      await tx.query('INSERT INTO people (name) VALUES ($1)', [NAME]);
      await tx.query('INSERT INTO people (name) VALUES ($1)', ['Болд']);
      return count(tx);
    });
    expect(result).toBe(2);
    expect(await count()).toBe(2);
  });

  test('rolls back when the callback throws, and rethrows that very error', async () => {
    const failure = new Error('the caller changed its mind');
    await expect(
      store.transaction(async (tx) => {
        await tx.query('INSERT INTO people (name) VALUES ($1)', [NAME]);
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(await count()).toBe(0);
  });

  test('rolls back when a statement inside fails, with DatabaseError carrying the SQLSTATE', async () => {
    await store.query('INSERT INTO people (name) VALUES ($1)', [NAME]);
    const error: unknown = await store
      .transaction(async (tx) => {
        await tx.query('INSERT INTO people (name) VALUES ($1)', ['Болд']);
        await tx.query('INSERT INTO people (name) VALUES ($1)', [NAME]);
      })
      .catch((caught: unknown) => caught);
    expect(isOrtooError(error, 'DatabaseError')).toBe(true);
    expect(sqlStateOf(error)).toBe('23505');
    expect(await store.query('SELECT name FROM people')).toStrictEqual([{ name: NAME }]);
  });

  test('runs 50 concurrent transactions, each landing exactly once', async () => {
    await store.query('INSERT INTO counters (id, value) VALUES (1, 0)');
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        store.transaction(async (tx) => {
          await tx.query('INSERT INTO people (name) VALUES ($1)', [`${NAME} ${i}`]);
          await tx.query('UPDATE counters SET value = value + 1 WHERE id = 1');
        }),
      ),
    );
    expect(await count()).toBe(50);
    expect(await store.query('SELECT value FROM counters')).toStrictEqual([{ value: 50 }]);
  });

  test('turns a syntax error into DatabaseError with the driver error as cause', async () => {
    const error: unknown = await store.query('SELEC 1').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OrtooError);
    expect(error).toMatchObject({ code: 'DatabaseError', status: 503 });
    expect((error as OrtooError).message).toContain('42601');
    expect((error as OrtooError).cause).toMatchObject({ code: '42601' });
  });

  test('runs one statement per query, a script of several with exec', async () => {
    await expect(store.query('SELECT 1; SELECT 2')).rejects.toMatchObject({ code: 'DatabaseError' });
    await store.exec(`INSERT INTO people (name) VALUES ('a'); INSERT INTO people (name) VALUES ('b');`);
    expect(await count()).toBe(2);
  });

  test('refuses an int8 beyond 2^53 rather than rounding it, and reads it exactly as text', async () => {
    await expect(store.query('SELECT 9007199254740993::int8 AS n')).rejects.toMatchObject({
      code: 'DatabaseError',
    });
    expect(await store.query('SELECT 9007199254740993::int8::text AS n')).toStrictEqual([
      { n: '9007199254740993' },
    ]);
  });

  test('refuses the transaction executor once its transaction has ended', async () => {
    let leaked: SqlExecutor | undefined;
    await store.transaction(async (tx) => {
      leaked = tx;
    });
    await expect(leaked?.query('SELECT 1')).rejects.toMatchObject({ code: 'InternalError' });
  });

  test('answers ping, and after close refuses queries with DatabaseError; closing twice is harmless', async () => {
    const own = await engine.openIsolated();
    await expect(own.ping()).resolves.toBeUndefined();
    await own.close();
    await own.close();
    await expect(own.query('SELECT 1')).rejects.toMatchObject({ code: 'DatabaseError' });
  });
});
