/** The SQL store: one interface over PostgreSQL and PGlite, and its migrations. */
export type { SqlEngine, SqlExecutor, SqlStore } from './sql-store';
export {
  PgStore,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_MAX_CONNECTIONS,
  type PgStoreOptions,
} from './pg-store';
export { PgliteStore, type PgliteStoreOptions } from './pglite-store';
export { openStore, type OpenStoreOptions } from './open-store';
export {
  migrate,
  loadMigrations,
  migrationChecksum,
  DEFAULT_MIGRATION_SCOPE,
  type Migration,
  type MigrateOptions,
} from './migrations';
export { sqlStateOf } from './database-error';
