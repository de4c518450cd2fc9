import type { SqlExecutor } from '../../../core/src';

/**
 * Marks the registry as changed. Call it in the transaction of every change,
 * so the global configuration is rebuilt on its next request, by any gateway
 * sharing the database.
 */
export async function bumpRegistryVersion(tx: SqlExecutor): Promise<void> {
  await tx.query('UPDATE registry_state SET version = version + 1, changed_at = now()');
}

/** The registry's current version: it grows by one with every change. */
export async function registryVersion(db: SqlExecutor): Promise<number> {
  const [row] = await db.query<{ version: number }>('SELECT version FROM registry_state');
  return row?.version ?? 0;
}
