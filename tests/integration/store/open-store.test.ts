/**
 * openStore picks the engine from the configuration and brings the schema up
 * to date before anyone uses the store.
 */
import { join } from 'node:path';

import { type Migration, type SqlStore, loadMigrations, openStore } from '../../../core/src/store';
import { TEST_DATABASE_URL, postgresEngine, randomSchema } from '../../helpers/store-engines';

const FIXTURES = join(__dirname, '../../fixtures/migrations');

describe('openStore', () => {
  // Only for dropping the schemas made here.
  const postgres = postgresEngine();
  const opened: SqlStore[] = [];

  afterAll(async () => {
    await Promise.all(opened.map((store) => store.close()));
    await postgres.cleanup();
  });

  test('opens PostgreSQL when given a database URL, with the migrations applied', async () => {
    const schema = randomSchema();
    // Registered for the drop; this store is not used.
    opened.push(await postgres.openOnSchema(schema));
    const store = await openStore({
      databaseUrl: TEST_DATABASE_URL,
      schema,
      migrations: await loadMigrations(FIXTURES),
    });
    opened.push(store);
    expect(store.engine).toBe('postgres');
    expect(await store.query('SELECT count(*) AS n FROM schema_migrations')).toEqual([{ n: 3 }]);
  });

  test('opens PGlite in memory without a database URL', async () => {
    const store = await openStore();
    opened.push(store);
    expect(store.engine).toBe('pglite');
    await expect(store.ping()).resolves.toBeUndefined();
  });

  test('refuses to open when a migration fails, naming it', async () => {
    const schema = randomSchema();
    opened.push(await postgres.openOnSchema(schema));
    const broken: Migration[] = [{ version: 1, name: 'broken', sql: 'CREATE TABLE' }];
    await expect(
      openStore({ databaseUrl: TEST_DATABASE_URL, schema, migrations: broken }),
    ).rejects.toMatchObject({
      code: 'DatabaseError',
      message: expect.stringContaining('0001_broken'),
    });
  });
});
