import {
  ReadinessChecker,
  createLogger,
  createMetricsRegistry,
  listenerLimitsOf,
  listenerRefusals,
  type Logger,
} from '../../core/src';
import { listenAdmin } from './admin-listener';
import { createApp } from './app';
import { consoleAssetsRouter } from './console/console-assets';
import { SessionStore } from './console/session-store';
import { createAuditTrail, type AuditTrail } from './audit/audit-trail';
import { loadGatewayConfig, type GatewayConfig } from './config';
import { openGatewayStore } from './database';
import { createGatewayDeps } from './deps';
import { startExchangeRuntime, type ExchangeRuntime } from './exchange/exchange-runtime';
import {
  AuditMetrics,
  gatewayReadinessChecks,
  ownCertificatesOf,
  registerGatewayMetrics,
} from './observability';
import { ADMIN_ROUTERS } from './routes';
import { consoleDataRouter } from './routes/console-data';
import { deadLettersRouter } from './routes/dead-letters';
import { opsRouter } from './routes/ops';
import { sessionRouter } from './routes/session';
import { loadOrCreateTrust } from './trust/gateway-trust';

/** A running gateway. */
export interface RunningGateway {
  /** Base URL of its admin API (a worker's: of its `/healthz`, `/readyz` and `/metrics` alone). */
  readonly url: string;
  /** Base URL of its mutual-TLS exchange listener (`/v1/exchange`); undefined for a worker-only process. */
  readonly exchangeUrl: string | undefined;
  /** Stops listening, lets open requests and running deliveries finish, signs a last audit checkpoint, closes the database. */
  close(): Promise<void>;
}

/** What a gateway process runs. */
export interface GatewayRole {
  /** The admin API and the exchange listener; `false` for `ortoo gateway worker`. @defaultValue true */
  readonly serve?: boolean;
}

/**
 * Starts the gateway with `config`: opens (and migrates) its database, loads
 * or creates its trust material, and starts the admin API, the exchange
 * listener and the delivery workers (or, with `serve: false`, the workers
 * alone: a scale-out worker process).
 */
export async function startGatewayServer(
  config: GatewayConfig,
  logger?: Logger,
  role: GatewayRole = {},
): Promise<RunningGateway> {
  const serve = role.serve ?? true;
  const log =
    logger ?? createLogger({ service: serve ? 'gateway' : 'gateway-worker', level: config.logLevel });
  const store = await openGatewayStore({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    ...(config.databaseSchema === undefined ? {} : { schema: config.databaseSchema }),
  });
  let audit: AuditTrail | undefined;
  let exchange: ExchangeRuntime | undefined;
  try {
    const clock = () => new Date();
    const trust = loadOrCreateTrust({ dir: config.certsDir, instance: config.instance });
    const metrics = createMetricsRegistry();
    const auditMetrics = new AuditMetrics(metrics);
    audit = createAuditTrail(store, trust, config, {
      clock,
      logger: log,
      onAppend: auditMetrics.observeAppend,
    });
    audit.start();
    const deps = createGatewayDeps({ config, store, audit, trust, logger: log, clock });
    exchange = await startExchangeRuntime(deps, {
      listen: serve,
      workers: !serve || config.delivery.workers,
      metrics,
    });
    const certificates = ownCertificatesOf(trust);
    registerGatewayMetrics({
      registry: metrics,
      queues: exchange.queues,
      store,
      globalConf: deps.globalConf,
      certificates,
      clock,
    });
    const readiness = new ReadinessChecker(
      gatewayReadinessChecks({
        redis: exchange.redis,
        store,
        globalConf: deps.globalConf,
        certificates,
        clock,
      }),
    );
    // A worker serves only the operational endpoints, on the admin listener's address.
    const sessions = new SessionStore({ redis: exchange.redis, prefix: config.delivery.queuePrefix, clock });
    const app = serve
      ? createApp(
          deps,
          [
            ...ADMIN_ROUTERS,
            deadLettersRouter(exchange.queues),
            sessionRouter(sessions),
            consoleDataRouter(exchange.queues),
            consoleAssetsRouter(),
            opsRouter(metrics, readiness),
          ],
          { sessions },
        )
      : createApp(deps, [opsRouter(metrics, readiness)]);
    const { server, url } = await listenAdmin(app, config, trust, log, {
      limits: listenerLimitsOf(config.limits),
      onRefused: listenerRefusals(metrics, serve ? 'admin' : 'worker'),
    });
    if (!serve) {
      log.info('gateway worker running', { opsUrl: url, instance: config.instance, engine: store.engine });
      return { url, exchangeUrl: undefined, close: closer(exchange, server, audit, store, log) };
    }
    log.info('gateway listening', {
      url,
      exchangeUrl: exchange.url,
      instance: config.instance,
      engine: store.engine,
    });
    return { url, exchangeUrl: exchange.url, close: closer(exchange, server, audit, store, log) };
  } catch (error) {
    await exchange?.close().catch(() => undefined);
    await audit?.close().catch(() => undefined);
    await store.close();
    throw error;
  }
}

/** Stops a gateway's parts in order: listeners, then deliveries, then the audit trail and the store. */
function closer(
  exchange: ExchangeRuntime,
  server: import('node:http').Server,
  audit: AuditTrail,
  store: { close(): Promise<void> },
  log: Logger,
): () => Promise<void> {
  return async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await exchange.close();
    try {
      await audit.close(); // signs the final checkpoint
    } finally {
      await store.close();
    }
    log.info('gateway stopped');
  };
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
