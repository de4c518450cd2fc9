/**
 * What only the PGlite store has: a database kept in a folder of its own,
 * found again by the next process that opens it.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { PgliteStore, type SqlStore, loadMigrations, openStore } from '../../../core/src/store';

const FIXTURES = join(__dirname, '../../fixtures/migrations');

describe('PgliteStore with a data folder', () => {
  let parent: string;
  const opened: SqlStore[] = [];

  beforeAll(async () => {
    parent = await mkdtemp(join(tmpdir(), 'ortoo-pglite-'));
  });

  afterAll(async () => {
    await Promise.all(opened.map((store) => store.close()));
    await rm(parent, { recursive: true, force: true });
  });

  test('keeps its data across a close and a reopen, and does not migrate twice', async () => {
    const dataDir = join(parent, 'data');
    const migrations = await loadMigrations(FIXTURES);

    const first = await openStore({ dataDir, migrations });
    opened.push(first);
    expect(first.engine).toBe('pglite');
    await first.query('INSERT INTO people (name) VALUES ($1)', ['Бат-Эрдэнэ']);
    await first.close();
    expect((await readdir(dataDir)).length).toBeGreaterThan(0);

    const second = await PgliteStore.open({ dataDir });
    opened.push(second);
    expect(await second.query('SELECT name FROM people')).toEqual([{ name: 'Бат-Эрдэнэ' }]);
    expect(await second.query('SELECT count(*) AS n FROM schema_migrations')).toEqual([{ n: 3 }]);
  });

  test('uses a named schema, as on PostgreSQL', async () => {
    const store = await PgliteStore.open({ dataDir: join(parent, 'schema'), schema: 'registry' });
    opened.push(store);
    await store.exec('CREATE TABLE members (code text PRIMARY KEY)');
    expect(await store.query("SELECT to_regclass('registry.members') IS NOT NULL AS found")).toEqual([
      { found: true },
    ]);
  });
});
