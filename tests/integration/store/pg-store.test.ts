/**
 * What only the PostgreSQL store has: a server to reach, credentials to keep
 * out of messages, and schemas that keep deployments sharing a database apart.
 */
import { OrtooError } from '../../../core/src/errors';
import { PgStore } from '../../../core/src/store';
import { TEST_DATABASE_URL, postgresEngine, randomSchema } from '../../helpers/store-engines';

const PASSWORD = 's3cret-Пароль';
const WITH_PASSWORD = `postgres://ortoo:${encodeURIComponent(PASSWORD)}@127.0.0.1:1/test`;

async function openError(options: Parameters<typeof PgStore.open>[0]): Promise<OrtooError> {
  const error: unknown = await PgStore.open(options).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof OrtooError)) throw new Error(`expected an OrtooError, got ${String(error)}`);
  return error;
}

describe('PgStore', () => {
  const engine = postgresEngine();

  afterAll(() => engine.cleanup());

  test('a server that refuses connections gives DatabaseError at once, without the password', async () => {
    const started = Date.now();
    const error = await openError({ connectionString: WITH_PASSWORD });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(error.code).toBe('DatabaseError');
    expect(error.message).toContain('127.0.0.1:1/test');
    for (const text of [error.message, JSON.stringify(error.toJSON())]) {
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain(encodeURIComponent(PASSWORD));
    }
  });

  test('a server that never answers gives DatabaseError after the connect timeout, not a hang', async () => {
    // 192.0.2.0/24 is TEST-NET-1: never routed, so the connection neither opens nor is refused.
    const started = Date.now();
    const error = await openError({
      connectionString: 'postgres://ortoo@192.0.2.1:5432/test',
      connectTimeoutMs: 300,
    });
    expect(error.code).toBe('DatabaseError');
    expect(Date.now() - started).toBeLessThan(3000);
  });

  test('a malformed URL is a configuration error whose message holds no password', async () => {
    const error = await openError({ connectionString: `postgres://ortoo:${PASSWORD} with spaces@[bad/test` });
    expect(error.code).toBe('InvalidConfiguration');
    expect(error.message).not.toContain(PASSWORD);
    expect(error.cause).toBeUndefined();
  });

  test('a schema name that is not a plain identifier is refused', async () => {
    const error = await openError({ connectionString: TEST_DATABASE_URL, schema: 'x; DROP TABLE y' });
    expect(error.code).toBe('InvalidConfiguration');
  });

  test('stores on different schemas of one database do not see each other', async () => {
    const [a, b] = await Promise.all([engine.openIsolated(), engine.openIsolated()]);
    for (const [store, owner] of [
      [a, 'a'],
      [b, 'b'],
    ] as const) {
      await store.exec('CREATE TABLE notes (owner text NOT NULL)');
      await store.query('INSERT INTO notes (owner) VALUES ($1)', [owner]);
    }
    expect(await a.query('SELECT owner FROM notes')).toEqual([{ owner: 'a' }]);
    expect(await b.query('SELECT owner FROM notes')).toEqual([{ owner: 'b' }]);
  });

  test('every pooled connection uses the schema, including inside transactions', async () => {
    const schema = randomSchema();
    const store = await engine.openOnSchema(schema);
    const seen = await Promise.all(
      Array.from({ length: 12 }, () =>
        store.transaction(async (tx) => {
          // Hold the connection a moment, so that the pool opens several.
          await tx.query('SELECT pg_sleep(0.02)');
          return (await tx.query<{ schema: string }>('SELECT current_schema() AS schema'))[0]?.schema;
        }),
      ),
    );
    expect(new Set(seen)).toEqual(new Set([schema]));
  });
});
