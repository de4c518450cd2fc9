/**
 * Opens the store a process is configured for: PostgreSQL when a database URL
 * is given, PGlite otherwise; then brings its schema up to date.
 */
import { type Migration, migrate } from './migrations';
import { PgStore } from './pg-store';
import { PgliteStore } from './pglite-store';
import type { SqlStore } from './sql-store';

/** Options of {@link openStore}. */
export interface OpenStoreOptions {
  /**
   * PostgreSQL connection URL (`DATABASE_URL`). When given, the store is
   * PostgreSQL and {@link OpenStoreOptions.dataDir} is ignored.
   *
   * @defaultValue none: PGlite
   */
  databaseUrl?: string;

  /**
   * PGlite's data folder, when there is no database URL.
   *
   * @defaultValue none: PGlite in memory, gone when the process ends
   */
  dataDir?: string;

  /**
   * Schema holding the tables, created when missing.
   *
   * @defaultValue `public`
   */
  schema?: string;

  /**
   * Migrations to apply before the store is returned.
   *
   * @defaultValue none
   */
  migrations?: readonly Migration[];

  /**
   * Scope of {@link OpenStoreOptions.migrations} (see `MigrateOptions.scope`).
   *
   * @defaultValue `'main'`
   */
  migrationScope?: string;

  /**
   * Most PostgreSQL connections (PGlite has one).
   *
   * @defaultValue 10
   */
  maxConnections?: number;
}

/**
 * Opens a {@link SqlStore} and applies the given migrations; the store is
 * closed again when they fail.
 *
 * @throws OrtooError `DatabaseError` or `InvalidConfiguration`, as
 *   {@link PgStore.open}, {@link PgliteStore.open} and {@link migrate} do.
 */
export async function openStore(options: OpenStoreOptions = {}): Promise<SqlStore> {
  const store: SqlStore =
    options.databaseUrl !== undefined
      ? await PgStore.open({
          connectionString: options.databaseUrl,
          schema: options.schema,
          maxConnections: options.maxConnections,
        })
      : await PgliteStore.open({ dataDir: options.dataDir, schema: options.schema });
  if (options.migrations !== undefined) {
    try {
      await migrate(store, options.migrations, { scope: options.migrationScope });
    } catch (error) {
      await store.close();
      throw error;
    }
  }
  return store;
}
