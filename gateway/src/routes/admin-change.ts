import type { Response } from 'express';
import type { AuditedTransaction } from '../audit/audit-trail';
import type { GatewayDeps } from '../deps';
import { principalOf } from '../middleware/authenticate';
import { bumpRegistryVersion } from '../registry/registry-version';

/** What an admin change did, for its audit record. */
export interface AdminChange {
  /** `<area>.<verb>`, e.g. `members.create`. */
  readonly action: string;
  /** What was changed. */
  readonly id: string;
  /** The service concerned, written to the audit log's searchable `service` column. */
  readonly service?: string;
  /** The client subsystem concerned, written to the `client` column. */
  readonly client?: string;
  /** The security server concerned, written to the `security_server` column. */
  readonly securityServer?: string;
  /** Further facts for the auditor (new names, addresses): never secrets. */
  readonly [fact: string]: unknown;
}

/**
 * Finishes a registry change inside its transaction (one of
 * `deps.audit.transaction`): bumps the registry version and appends the
 * `admin-change` audit record through `tx`, so the change, the new version and
 * its record commit or roll back together.
 *
 * Called only once something did change: an idempotent repeat of a create, or
 * an update to the same value, leaves no record and no new version.
 */
export async function recordAdminChange(
  tx: AuditedTransaction,
  res: Response,
  change: AdminChange,
): Promise<void> {
  const { service, client, securityServer, ...detail } = change;
  await bumpRegistryVersion(tx);
  await tx.record({
    event: 'admin-change',
    outcome: 'ok',
    actor: principalOf(res).name,
    ...(service === undefined ? {} : { service }),
    ...(client === undefined ? {} : { client }),
    ...(securityServer === undefined ? {} : { securityServer }),
    detail,
  });
}

/**
 * Runs a change that always changes something in its own audited
 * transaction, and records it with {@link recordAdminChange}.
 *
 * @param describe - the audit facts, from the change's result.
 */
export async function registryChange<T>(
  deps: GatewayDeps,
  res: Response,
  change: (tx: AuditedTransaction) => Promise<T>,
  describe: (result: T) => AdminChange,
): Promise<T> {
  return deps.audit.transaction(async (tx) => {
    const result = await change(tx);
    await recordAdminChange(tx, res, describe(result));
    return result;
  });
}
