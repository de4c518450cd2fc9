import type { Response } from 'express';
import type { SqlExecutor } from '../../../core/src';
import type { GatewayDeps } from '../deps';
import { principalOf } from '../middleware/authenticate';
import { bumpRegistryVersion } from '../registry/registry-version';

/**
 * Runs one administrative change of the registry in a transaction that also
 * bumps the registry version (so the global configuration is rebuilt) and
 * writes the `admin-change` audit record naming who did what: the change and
 * its record commit together or not at all.
 *
 * @param action - what was done, e.g. `member.create`.
 * @param detail - facts for the audit record, from the change's result.
 */
export async function registryChange<T>(
  deps: GatewayDeps,
  res: Response,
  action: string,
  change: (tx: SqlExecutor) => Promise<T>,
  detail: (result: T) => Record<string, unknown>,
): Promise<T> {
  const actor = principalOf(res).name;
  return deps.store.transaction(async (tx) => {
    const result = await change(tx);
    await bumpRegistryVersion(tx);
    await deps.audit.record(
      { event: 'admin-change', outcome: 'ok', actor, detail: { action, ...detail(result) } },
      tx,
    );
    return result;
  });
}
