/**
 * The two engines a store test runs against, each able to open stores that
 * see nothing of one another, and to remove everything it made afterwards.
 */
import { randomBytes } from 'node:crypto';

import { PgStore, PgliteStore, type SqlEngine, type SqlStore } from '../../core/src/store';

/** PostgreSQL the integration tests use (trust auth on this machine by default). */
export const TEST_DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Both engines, for `describe.each`. */
export const STORE_ENGINES: readonly SqlEngine[] = ['postgres', 'pglite'];

/** A fresh schema name, so that test files sharing the server never meet. */
export function randomSchema(prefix = 'test'): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

/** One engine under test. */
export interface StoreEngine {
  readonly name: SqlEngine;
  /**
   * Opens a store of its own: a new schema on PostgreSQL, a new in-memory
   * database on PGlite (a few seconds to start).
   */
  openIsolated(): Promise<SqlStore>;
  /** Closes every store it opened and drops every schema it made. */
  cleanup(): Promise<void>;
}

/** The engine of that name. */
export function storeEngine(name: SqlEngine): StoreEngine {
  return name === 'postgres' ? postgresEngine() : pgliteEngine();
}

/** PostgreSQL at {@link TEST_DATABASE_URL}, one random schema per store. */
export function postgresEngine(): StoreEngine & { openOnSchema(schema: string): Promise<SqlStore> } {
  const stores: SqlStore[] = [];
  const schemas = new Set<string>();
  const openOnSchema = async (schema: string): Promise<SqlStore> => {
    schemas.add(schema);
    const store = await PgStore.open({ connectionString: TEST_DATABASE_URL, schema });
    stores.push(store);
    return store;
  };
  return {
    name: 'postgres',
    openOnSchema,
    openIsolated: () => openOnSchema(randomSchema()),
    async cleanup() {
      await Promise.all(stores.map((store) => store.close()));
      if (schemas.size === 0) return;
      const admin = await PgStore.open({ connectionString: TEST_DATABASE_URL });
      try {
        for (const schema of schemas) await admin.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await admin.close();
      }
    },
  };
}

/** PGlite in memory, one database per store. */
export function pgliteEngine(): StoreEngine {
  const stores: SqlStore[] = [];
  return {
    name: 'pglite',
    async openIsolated() {
      const store = await PgliteStore.open();
      stores.push(store);
      return store;
    },
    async cleanup() {
      await Promise.all(stores.map((store) => store.close()));
    },
  };
}
