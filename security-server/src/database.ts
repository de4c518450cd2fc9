import path from 'node:path';
import { loadMigrations, migrate, openStore, type SqlStore } from '../../core/src';

/** The security server's migration folders, each applied under its own scope. */
const MIGRATION_SCOPES = ['message-log', 'witness'] as const;

/** Options of {@link openSecurityServerStore}. */
export interface SecurityServerStoreOptions {
  /** PostgreSQL URL; PGlite otherwise. */
  databaseUrl?: string;
  /** PGlite folder; in memory when absent. */
  dataDir?: string;
  /** PostgreSQL schema (or PGlite schema) to keep the tables in. @defaultValue public */
  schema?: string;
}

/** Brings the security server's tables in `store` up to date (the message log). */
export async function migrateSecurityServerStore(store: SqlStore): Promise<void> {
  for (const scope of MIGRATION_SCOPES) {
    await migrate(store, await loadMigrations(path.join(__dirname, '..', 'migrations', scope)), { scope });
  }
}

/** Opens the security server's SQL store and brings its schema up to date. */
export async function openSecurityServerStore(options: SecurityServerStoreOptions): Promise<SqlStore> {
  const store = await openStore(options);
  try {
    await migrateSecurityServerStore(store);
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}
