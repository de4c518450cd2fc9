/**
 * Versioned migrations: applied once, in order, each in its own transaction;
 * never silently re-applied, edited or skipped; safe when several processes
 * start at once against one PostgreSQL.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { isOrtooError } from '../../../core/src/errors';
import {
  type Migration,
  type SqlStore,
  loadMigrations,
  migrate,
  migrationChecksum,
} from '../../../core/src/store';
import { STORE_ENGINES, postgresEngine, randomSchema, storeEngine } from '../../helpers/store-engines';

const FIXTURES = join(__dirname, '../../fixtures/migrations');

/** Inline migrations creating tables named after the test's own scope, so tests sharing a store never meet. */
function tables(scope: string, count: number): Migration[] {
  return Array.from({ length: count }, (_, i) => ({
    version: i + 1,
    name: `create_${scope}_${i + 1}`,
    sql: `CREATE TABLE ${scope}_${i + 1} (id int PRIMARY KEY);`,
  }));
}

async function tableExists(store: SqlStore, table: string): Promise<boolean> {
  const [row] = await store.query<{ found: boolean }>('SELECT to_regclass($1) IS NOT NULL AS found', [table]);
  return row?.found ?? false;
}

describe.each(STORE_ENGINES)('migrate on %s', (engineName) => {
  const engine = storeEngine(engineName);
  let store: SqlStore;

  beforeAll(async () => {
    store = await engine.openIsolated();
  });

  afterAll(() => engine.cleanup());

  test('applies the fixture migrations in order, records them, and skips them on a rerun', async () => {
    const migrations = await loadMigrations(FIXTURES);

    const first = await migrate(store, migrations);
    expect(first.map((m) => m.version)).toEqual([1, 2, 3]);

    const recorded = await store.query<{ version: number; name: string; checksum: string; applied_at: Date }>(
      "SELECT version, name, checksum, applied_at FROM schema_migrations WHERE scope = 'main' ORDER BY version",
    );
    expect(recorded.map(({ version, name, checksum }) => ({ version, name, checksum }))).toEqual(
      migrations.map(({ version, name, sql }) => ({ version, name, checksum: migrationChecksum(sql) })),
    );
    expect(recorded.every((row) => row.applied_at instanceof Date)).toBe(true);

    expect(await migrate(store, migrations)).toEqual([]);
    const [person] = await store.query<{ id: number }>(
      "INSERT INTO people (name, profile) VALUES ('Бат-Эрдэнэ', '{}') RETURNING id",
    );
    await store.query('INSERT INTO events (person_id, payload) VALUES ($1, $2)', [
      person?.id,
      Buffer.from('x'),
    ]);
  });

  test('applies only the migrations added since the last run', async () => {
    const all = tables('grow', 3);
    expect((await migrate(store, all.slice(0, 2), { scope: 'grow' })).map((m) => m.version)).toEqual([1, 2]);
    expect((await migrate(store, all, { scope: 'grow' })).map((m) => m.version)).toEqual([3]);
  });

  test('refuses an applied migration whose SQL has changed, naming it', async () => {
    const original = tables('edited', 2);
    await migrate(store, original, { scope: 'edited' });
    const edited = original.map((m) => (m.version === 2 ? { ...m, sql: `${m.sql}\n-- edited` } : m));

    const error: unknown = await migrate(store, edited, { scope: 'edited' }).catch(
      (caught: unknown) => caught,
    );
    expect(isOrtooError(error, 'DatabaseError')).toBe(true);
    expect((error as Error).message).toContain('0002_create_edited_2');
    expect((error as Error).message).toContain('changed');
  });

  test('rolls back a failing migration, names it, and applies it once it is fixed', async () => {
    const [good, bad] = tables('broken', 2);
    if (good === undefined || bad === undefined) throw new Error('two migrations expected');
    const failing = { ...bad, sql: `${bad.sql}\nSELECT no_such_function();` };

    const error: unknown = await migrate(store, [good, failing], { scope: 'broken' }).catch(
      (caught: unknown) => caught,
    );
    expect(isOrtooError(error, 'DatabaseError')).toBe(true);
    expect((error as Error).message).toMatch(/Migration 0002_create_broken_2 failed: .*no_such_function/);
    expect((error as Error).cause).toMatchObject({ code: '42883' });
    expect(await tableExists(store, 'broken_1')).toBe(true);
    expect(await tableExists(store, 'broken_2')).toBe(false);

    expect((await migrate(store, [good, bad], { scope: 'broken' })).map((m) => m.version)).toEqual([2]);
    expect(await tableExists(store, 'broken_2')).toBe(true);
  });

  test('refuses a list with a gap, a duplicate or not starting at 1, before touching the database', async () => {
    const [one, two, three] = tables('sequence', 3);
    if (one === undefined || two === undefined || three === undefined)
      throw new Error('three migrations expected');
    for (const list of [
      [one, three],
      [one, one, two],
      [two, three],
    ]) {
      await expect(migrate(store, list, { scope: 'sequence' })).rejects.toMatchObject({
        code: 'InvalidConfiguration',
      });
    }
    expect(await tableExists(store, 'sequence_1')).toBe(false);
  });

  test('refuses to run against a database newer than the code', async () => {
    const both = tables('newer', 2);
    await migrate(store, both, { scope: 'newer' });
    await expect(migrate(store, both.slice(0, 1), { scope: 'newer' })).rejects.toMatchObject({
      code: 'DatabaseError',
      message: expect.stringContaining('0002_create_newer_2'),
    });
  });

  test('keeps scopes apart: each numbers its migrations from 1', async () => {
    expect(await migrate(store, tables('registry', 1), { scope: 'registry' })).toHaveLength(1);
    expect(await migrate(store, tables('audit', 1), { scope: 'audit' })).toHaveLength(1);
    expect(await tableExists(store, 'registry_1')).toBe(true);
    expect(await tableExists(store, 'audit_1')).toBe(true);
  });
});

describe('migrate from several processes at once on one PostgreSQL schema', () => {
  const engine = postgresEngine();

  afterAll(() => engine.cleanup());

  test('applies each migration exactly once', async () => {
    const schema = randomSchema();
    // Four stores stand in for four processes starting together.
    const stores = await Promise.all(Array.from({ length: 4 }, () => engine.openOnSchema(schema)));
    // CREATE TABLE without IF NOT EXISTS: a second application would fail.
    const migrations = tables('race', 5);

    const results = await Promise.all(stores.map((store) => migrate(store, migrations)));

    const applied = results.flat().map((m) => m.version);
    expect(applied.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5]);
    const [first] = stores;
    expect(await first?.query('SELECT count(*) AS n FROM schema_migrations')).toEqual([{ n: 5 }]);
  });
});

describe('loadMigrations', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ortoo-migrations-'));
  });

  afterEach(() => rm(dir, { recursive: true, force: true }));

  test('reads NNNN_name.sql files in version order and ignores other files', async () => {
    await writeFile(join(dir, '0002_second.sql'), 'SELECT 2;');
    await writeFile(join(dir, '0001_first.sql'), 'SELECT 1;');
    await writeFile(join(dir, 'notes.txt'), 'not a migration');
    expect(await loadMigrations(dir)).toEqual([
      { version: 1, name: 'first', sql: 'SELECT 1;' },
      { version: 2, name: 'second', sql: 'SELECT 2;' },
    ]);
  });

  test('normalises CRLF line endings, so a checkout does not change a checksum', async () => {
    await writeFile(join(dir, '0001_first.sql'), 'SELECT 1;\r\nSELECT 2;\r\n');
    const [migration] = await loadMigrations(dir);
    expect(migration?.sql).toBe('SELECT 1;\nSELECT 2;\n');
  });

  test('refuses a gap or a duplicate version', async () => {
    await writeFile(join(dir, '0001_first.sql'), 'SELECT 1;');
    await writeFile(join(dir, '0003_third.sql'), 'SELECT 3;');
    await expect(loadMigrations(dir)).rejects.toMatchObject({ code: 'InvalidConfiguration' });
    await writeFile(join(dir, '0002_second.sql'), 'SELECT 2;');
    await writeFile(join(dir, '02_again.sql'), 'SELECT 2;');
    await expect(loadMigrations(dir)).rejects.toMatchObject({ code: 'InvalidConfiguration' });
  });

  test('refuses a folder that does not exist', async () => {
    await expect(loadMigrations(join(dir, 'missing'))).rejects.toMatchObject({
      code: 'InvalidConfiguration',
    });
  });
});
