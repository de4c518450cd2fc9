/**
 * A gateway for integration tests: its own store (a fresh PostgreSQL schema or
 * an in-memory PGlite), its own trust material in a temporary folder, an admin
 * and an auditor token, and the express app to call in-process with supertest.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import type { Express } from 'express';
import { createLogger, type SqlEngine, type SqlStore } from '../../core/src';
import { createApp } from '../../gateway/src/app';
import { createAuditTrail, type AuditTrail } from '../../gateway/src/audit/audit-trail';
import { loadGatewayConfig, type GatewayConfig } from '../../gateway/src/config';
import { migrateGatewayStore } from '../../gateway/src/database';
import { createGatewayDeps, type GatewayDeps } from '../../gateway/src/deps';
import { createApiToken } from '../../gateway/src/registry/api-tokens';
import { ADMIN_ROUTERS } from '../../gateway/src/routes';
import { loadOrCreateTrust } from '../../gateway/src/trust/gateway-trust';
import { storeEngine } from './store-engines';

/** A running test gateway. */
export interface GatewayHarness {
  readonly app: Express;
  readonly deps: GatewayDeps;
  readonly store: SqlStore;
  /** `Authorization` header values. */
  readonly admin: string;
  readonly auditor: string;
  /** Folder of its trust material. */
  readonly certsDir: string;
  /** Signs the audit trail's last checkpoint, closes the store, drops its schema, removes the folder. */
  close(): Promise<void>;
}

/** Options of {@link startGateway}. */
export interface HarnessOptions {
  /** A fixed clock for the gateway. @defaultValue the real one */
  clock?: () => Date;
  /** Environment overrides for the gateway's configuration. */
  env?: Record<string, string>;
}

/** Starts a test gateway on the given engine. */
export async function startGateway(
  engineName: SqlEngine,
  options: HarnessOptions = {},
): Promise<GatewayHarness> {
  const engine = storeEngine(engineName);
  const store = await engine.openIsolated();
  const certsDir = mkdtempSync(path.join(tmpdir(), 'ortoo-gateway-'));
  let audit: AuditTrail | undefined;
  const cleanup = async () => {
    try {
      await audit?.close(); // the final checkpoint, as a gateway that stops signs one
    } finally {
      await engine.cleanup();
      rmSync(certsDir, { recursive: true, force: true });
    }
  };
  try {
    await migrateGatewayStore(store);
    const config: GatewayConfig = loadGatewayConfig({
      env: { ORTOO_INSTANCE: 'MN', ORTOO_CERTS_DIR: certsDir, ...options.env },
    });
    const clock = options.clock ?? (() => new Date());
    const trust = loadOrCreateTrust({ dir: certsDir, instance: config.instance });
    const logger = createLogger({ service: 'gateway-test', level: 'warn', stream: new PassThrough() });
    // No checkpoint timer: tests sign checkpoints when they need them (verify and export do too).
    audit = createAuditTrail(store, trust, config, { clock, logger });
    const deps = createGatewayDeps({ config, store, audit, trust, logger, clock });
    const admin = await createApiToken(store, { name: 'test-admin', role: 'admin' });
    const auditor = await createApiToken(store, { name: 'test-auditor', role: 'auditor' });
    return {
      app: createApp(deps, ADMIN_ROUTERS),
      deps,
      store,
      admin: `Bearer ${admin.token}`,
      auditor: `Bearer ${auditor.token}`,
      certsDir,
      close: cleanup,
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
