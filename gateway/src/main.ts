import type { AddressInfo } from 'node:net';
import { createLogger, type Logger } from '../../core/src';
import { createApp } from './app';
import { createAuditTrail, type AuditTrail } from './audit/audit-trail';
import { loadGatewayConfig, type GatewayConfig } from './config';
import { openGatewayStore } from './database';
import { ADMIN_ROUTERS } from './routes';
import { createAdminSchemaRegistry } from './schema-files';
import { loadOrCreateTrust } from './trust/gateway-trust';

/** A running gateway. */
export interface RunningGateway {
  /** Base URL of its admin API. */
  readonly url: string;
  /** Stops listening, lets open requests finish, signs a last audit checkpoint, closes the database. */
  close(): Promise<void>;
}

/**
 * Starts the gateway with `config`: opens (and migrates) its database, loads
 * or creates its trust material, and listens.
 */
export async function startGatewayServer(config: GatewayConfig, logger?: Logger): Promise<RunningGateway> {
  const log = logger ?? createLogger({ service: 'gateway', level: config.logLevel });
  const store = await openGatewayStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  let audit: AuditTrail | undefined;
  try {
    const clock = () => new Date();
    const trust = loadOrCreateTrust({ dir: config.certsDir, instance: config.instance });
    audit = createAuditTrail(store, trust, config, { clock, logger: log });
    audit.start();
    const app = createApp(
      {
        config,
        store,
        audit,
        schemas: createAdminSchemaRegistry(),
        trust,
        logger: log,
        clock,
      },
      ADMIN_ROUTERS,
    );
    const server = app.listen(config.http.port, config.http.host);
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', reject);
    });
    const { port } = server.address() as AddressInfo;
    const host = config.http.host.includes(':') ? `[${config.http.host}]` : config.http.host;
    const url = `http://${host}:${port}`;
    log.info('gateway listening', { url, instance: config.instance, engine: store.engine });
    return {
      url,
      async close() {
        await new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        try {
          await audit?.close(); // signs the final checkpoint
        } finally {
          await store.close();
        }
        log.info('gateway stopped');
      },
    };
  } catch (error) {
    await audit?.close().catch(() => undefined);
    await store.close();
    throw error;
  }
}

/** `node gateway/src/main.ts` (through tsx): configuration from the environment, stop on SIGINT/SIGTERM. */
async function main(): Promise<void> {
  const gateway = await startGatewayServer(
    loadGatewayConfig({ env: process.env, file: process.env.ORTOO_GATEWAY_CONFIG }),
  );
  const stop = () => {
    gateway.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
