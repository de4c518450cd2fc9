/**
 * Versioned SQL migrations, applied at start-up, the same on both engines.
 *
 * A `schema_migrations` table records what has been applied: scope, version,
 * name, the SHA-256 of the SQL and when. Each migration runs in its own
 * transaction under an advisory lock, so several processes starting at once
 * against one database apply each migration exactly once. An applied migration
 * whose SQL has since changed is refused: fix it with a new migration.
 */
import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';

import { OrtooError } from '../errors';
import { serverMessageOf } from './database-error';
import type { SqlExecutor, SqlStore } from './sql-store';

/** One schema change. */
export interface Migration {
  /** 1, 2, 3, ...: applied in this order, without gaps. */
  readonly version: number;
  /** Short name, e.g. `create_members`; recorded, and shown in errors. */
  readonly name: string;
  /**
   * The SQL: one or more statements, run in one transaction (so no
   * `BEGIN`/`COMMIT`, no `CREATE INDEX CONCURRENTLY`). Never edit it once released.
   */
  readonly sql: string;
}

/** Options of {@link migrate}. */
export interface MigrateOptions {
  /**
   * Which set of migrations this is. Parts that keep their own migrations in
   * one database (the gateway's registry and audit log) each use their own
   * scope, numbered from 1 independently.
   *
   * @defaultValue {@link DEFAULT_MIGRATION_SCOPE}
   */
  scope?: string;
}

/** Default of {@link MigrateOptions.scope}. */
export const DEFAULT_MIGRATION_SCOPE = 'main';

/** `NNNN_name.sql`: the version, then the name. */
const MIGRATION_FILE = /^(\d+)_([A-Za-z0-9_-]+)\.sql$/;

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  scope text NOT NULL,
  version integer NOT NULL,
  name text NOT NULL,
  checksum text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (scope, version)
)`;

// Per schema, so that deployments sharing a database do not wait on each other.
const LOCK = `SELECT pg_advisory_xact_lock(hashtext('ortoo.schema_migrations'), hashtext(coalesce(current_schema(), '')))`;

interface AppliedRow {
  version: number;
  name: string;
  checksum: string;
}

/** SHA-256 (hex) of a migration's SQL, as recorded in `schema_migrations`. */
export function migrationChecksum(sql: string): string {
  return createHash('sha256').update(sql, 'utf8').digest('hex');
}

/**
 * Applies the migrations not yet applied, each in its own transaction, and
 * returns them (empty when the database was up to date).
 *
 * @throws OrtooError `InvalidConfiguration` when the list has gaps, duplicates
 *   or does not start at 1; `DatabaseError` when an applied migration's SQL has
 *   changed, when the database holds a migration the list does not know, or
 *   when a migration fails (the message names it; that migration is rolled back).
 */
export async function migrate(
  store: SqlStore,
  migrations: readonly Migration[],
  options: MigrateOptions = {},
): Promise<Migration[]> {
  const scope = options.scope ?? DEFAULT_MIGRATION_SCOPE;
  checkSequence(migrations);
  const applied = await store.transaction(async (tx) => {
    await tx.query(LOCK);
    await tx.exec(CREATE_TABLE);
    return readApplied(tx, scope);
  });
  for (const row of applied) checkApplied(row, migrations[row.version - 1], scope);

  const done = new Set(applied.map((row) => row.version));
  const appliedNow: Migration[] = [];
  for (const migration of migrations) {
    if (done.has(migration.version)) continue;
    const ran = await store.transaction(async (tx) => {
      await tx.query(LOCK);
      // Another process may have applied it while we waited for the lock.
      const [row] = await tx.query<AppliedRow>(
        'SELECT version, name, checksum FROM schema_migrations WHERE scope = $1 AND version = $2',
        [scope, migration.version],
      );
      if (row !== undefined) {
        checkApplied(row, migration, scope);
        return false;
      }
      await runMigration(tx, migration);
      await tx.query(
        'INSERT INTO schema_migrations (scope, version, name, checksum) VALUES ($1, $2, $3, $4)',
        [scope, migration.version, migration.name, migrationChecksum(migration.sql)],
      );
      return true;
    });
    if (ran) appliedNow.push(migration);
  }
  return appliedNow;
}

/**
 * Reads the migrations of a folder: every file named `NNNN_name.sql`
 * (`0001_create_members.sql`), ordered by version. Other files are ignored.
 * Line endings are normalised to `\n`, so a checkout's line-ending conversion
 * does not change a checksum.
 *
 * @throws OrtooError `InvalidConfiguration` when the folder cannot be read or
 *   its versions have gaps or duplicates.
 */
export async function loadMigrations(dir: string): Promise<Migration[]> {
  let files: string[];
  try {
    files = await readdir(dir);
  } catch (error) {
    throw new OrtooError('InvalidConfiguration', `Cannot read migrations folder ${dir}`, { cause: error });
  }
  const migrations: Migration[] = [];
  for (const file of files) {
    const match = MIGRATION_FILE.exec(file);
    if (match === null) continue;
    const sql = (await readFile(join(dir, file), 'utf8')).replace(/\r\n/g, '\n');
    migrations.push({ version: Number(match[1]), name: match[2] ?? '', sql });
  }
  migrations.sort((a, b) => a.version - b.version);
  checkSequence(migrations);
  return migrations;
}

function label(migration: Pick<Migration, 'version' | 'name'>): string {
  return `${String(migration.version).padStart(4, '0')}_${migration.name}`;
}

function checkSequence(migrations: readonly Migration[]): void {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      const previous = migrations[index - 1];
      const after = previous === undefined ? 'first migration' : `after ${label(previous)}`;
      throw new OrtooError(
        'InvalidConfiguration',
        `Migration ${label(migration)} is out of sequence: expected version ${index + 1} (${after}); versions start at 1, without gaps or duplicates`,
      );
    }
  });
}

function checkApplied(row: AppliedRow, migration: Migration | undefined, scope: string): void {
  if (migration === undefined) {
    throw new OrtooError(
      'DatabaseError',
      `The database has migration ${label(row)} (scope ${scope}), which this version does not know: it is newer than this code`,
    );
  }
  if (row.checksum !== migrationChecksum(migration.sql)) {
    throw new OrtooError(
      'DatabaseError',
      `Migration ${label(migration)} (scope ${scope}) has changed since it was applied as ${label(row)}: never edit an applied migration, add a new one`,
    );
  }
}

async function readApplied(tx: SqlExecutor, scope: string): Promise<AppliedRow[]> {
  return tx.query<AppliedRow>(
    'SELECT version, name, checksum FROM schema_migrations WHERE scope = $1 ORDER BY version',
    [scope],
  );
}

async function runMigration(tx: SqlExecutor, migration: Migration): Promise<void> {
  try {
    await tx.exec(migration.sql);
  } catch (error) {
    throw new OrtooError('DatabaseError', `Migration ${label(migration)} failed: ${serverMessageOf(error)}`, {
      cause: error instanceof OrtooError && error.cause !== undefined ? error.cause : error,
    });
  }
}
