import path from 'node:path';
import { loadMigrations, migrate, openStore, type SqlStore } from '../../core/src';

/** The gateway's migration folders, each applied under its own scope. */
const MIGRATION_SCOPES = ['registry', 'audit'] as const;

/** Options of {@link openGatewayStore}. */
export interface GatewayStoreOptions {
  /** PostgreSQL URL; PGlite otherwise. */
  databaseUrl?: string;
  /** PGlite folder; in memory when absent. */
  dataDir?: string;
  /** PostgreSQL schema (or PGlite schema) to keep the tables in. @defaultValue public */
  schema?: string;
}

/** Brings the gateway's tables in `store` up to date (registry, audit log). */
export async function migrateGatewayStore(store: SqlStore): Promise<void> {
  for (const scope of MIGRATION_SCOPES) {
    await migrate(store, await loadMigrations(path.join(__dirname, '..', 'migrations', scope)), { scope });
  }
}

/** Opens the gateway's SQL store and brings its schema up to date. */
export async function openGatewayStore(options: GatewayStoreOptions): Promise<SqlStore> {
  const store = await openStore(options);
  try {
    await migrateGatewayStore(store);
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}
