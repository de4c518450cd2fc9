import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import express from 'express';
import type { AddressInfo } from 'node:net';
import {
  ED25519_COSIGNATURE,
  loadOrCreateNoteKey,
  witnessKeyName,
  GlobalConfClient,
  ReadinessChecker,
  createHardenedServer,
  createHttpsFetcher,
  createLogger,
  createMetricsRegistry,
  createMtlsServer,
  listenerLimitsOf,
  listenerRefusals,
  opsEndpoints,
  parseCertificate,
  type Logger,
} from '../../core/src';
import { createClientProxyApp } from './client-proxy/client-proxy-app';
import { ConfHolder } from './conf-holder';
import type { SecurityServerConfig } from './config';
import { openSecurityServerStore } from './database';
import type { SecurityServerDeps } from './deps';
import { GatewayClient } from './gateway-client';
import { createLocalSystemTlsServer } from './local-systems';
import { MessageLog } from './message-log/message-log';
import { createProviderProxyApp } from './provider-proxy/provider-proxy-app';
import { securityServerReadinessChecks } from './readiness';
import { registerServerMetrics } from './server-metrics';
import { loadIdentity, serverFolderPaths } from './server-folder';
import { LogWitness } from './witness/log-witness';

/** A running security server. */
export interface RunningSecurityServer {
  /** Base URL of the client proxy, for the agency's own systems. */
  readonly clientUrl: string;
  /** Base URL of the provider proxy (mutual TLS, for the gateway). */
  readonly providerUrl: string;
  readonly deps: SecurityServerDeps;
  /** Stops listening, lets open requests finish, signs the message log's last checkpoint, closes the store. */
  close(): Promise<void>;
}

/** Options of {@link startSecurityServer}. */
export interface StartOptions {
  /** The server's folder (`ortoo ss init`). */
  readonly dir: string;
  readonly config: SecurityServerConfig;
  /** @defaultValue a JSON logger at the configured level */
  readonly logger?: Logger;
}

function urlOf(server: Server, host: string, scheme: 'http' | 'https'): string {
  const { port } = server.address() as AddressInfo;
  return `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

async function listen(server: Server, port: number, host: string): Promise<void> {
  server.listen(port, host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}

/**
 * Starts a security server from its folder: loads its keys and certificates
 * (refusing to start when any is missing or does not match), opens its
 * message log, fetches and verifies the global configuration (or starts from
 * the last good copy), and listens with its client proxy (for the agency's
 * systems) and its provider proxy (mutual TLS, for the gateway).
 */
export async function startSecurityServer(options: StartOptions): Promise<RunningSecurityServer> {
  const { dir, config } = options;
  const logger = options.logger ?? createLogger({ service: 'security-server', level: config.logLevel });
  const identity = loadIdentity(dir, config);
  const paths = serverFolderPaths(dir);
  const closers: (() => Promise<void> | void)[] = [];
  const close = async () => {
    for (const closer of closers.reverse()) {
      await Promise.resolve(closer()).catch((error: unknown) => logger.warn('close failed', { error }));
    }
  };
  try {
    const store = await openSecurityServerStore({
      ...(config.databaseUrl === undefined ? {} : { databaseUrl: config.databaseUrl }),
      dataDir: config.dataDir,
      ...(config.databaseSchema === undefined ? {} : { schema: config.databaseSchema }),
    });
    closers.push(() => store.close());
    const messageLog = MessageLog.open({ store, signer: identity.signer, logger });
    messageLog.start();
    closers.push(() => messageLog.close());

    const confClient = new GlobalConfClient({
      url: new URL(
        'v1/global-conf',
        config.gateway.url.endsWith('/') ? config.gateway.url : `${config.gateway.url}/`,
      ).href,
      anchor: parseCertificate(readFileSync(paths.anchor, 'utf8')),
      cacheFile: paths.globalConfCache,
      refreshIntervalMs: config.globalConfRefreshSeconds * 1000,
      maxClockSkewMs: config.clockSkewToleranceSeconds * 1000,
      instance: config.instance,
      logger,
      ...(config.gateway.url.startsWith('https:')
        ? { fetch: createHttpsFetcher({ ca: [...identity.caPem] }) }
        : {}),
    });
    await confClient.start();
    closers.push(() => confClient.stop());

    const deps: SecurityServerDeps = {
      config,
      identity,
      conf: new ConfHolder(confClient),
      messageLog,
      logger,
      metrics: createMetricsRegistry(),
      clock: () => new Date(),
    };

    const witness = new LogWitness({
      store,
      gatewayUrl: config.gateway.url,
      serverId: identity.serverId,
      signer: identity.signer,
      key: loadOrCreateNoteKey(paths.witnessKey, witnessKeyName(identity.serverId), ED25519_COSIGNATURE),
      logKey: () => {
        try {
          return deps.conf.index().conf.auditLog?.verifierKey;
        } catch {
          return undefined; // no valid configuration: nothing to check the log's signature with
        }
      },
      logger,
      metrics: deps.metrics,
      caPem: identity.caPem,
      // Witnessed as often as the global configuration is fetched.
      intervalMs: config.globalConfRefreshSeconds * 1000,
    });
    witness.start();
    closers.push(() => witness.stop());

    const gateway = new GatewayClient(deps);
    closers.push(() => gateway.close());
    // The client proxy's port also answers the operational endpoints (probes, scrapes).
    const clientApp = express();
    clientApp.disable('x-powered-by');
    const authCertificate = parseCertificate(identity.tls.certificatePem);
    registerServerMetrics(
      deps.metrics,
      deps.conf,
      { sign: identity.signCertificate, auth: authCertificate },
      confClient,
    );
    const readiness = new ReadinessChecker(
      securityServerReadinessChecks({
        store,
        conf: deps.conf,
        identity,
        authCertificate,
        clock: deps.clock,
        skew: confClient,
        witness,
      }),
    );
    for (const [path, handler] of Object.entries(opsEndpoints(deps.metrics, readiness)))
      clientApp.get(path, handler);
    clientApp.use(createClientProxyApp(deps, gateway));
    // Every listener holds its clients to the configured limits (timeouts, connections per peer).
    const limits = listenerLimitsOf(config.limits);
    const clientListener = createHardenedServer(clientApp, {
      limits,
      onRefused: listenerRefusals(deps.metrics, 'client'),
    });
    await listen(clientListener, config.clientProxy.port, config.clientProxy.host);
    closers.push(() => closeServer(clientListener));
    if (config.clientProxy.tlsPort !== undefined) {
      // Local systems that authenticate with a TLS client certificate.
      const tlsListener = createLocalSystemTlsServer(clientApp, identity.tls, {
        limits,
        onRefused: listenerRefusals(deps.metrics, 'client-tls'),
      });
      await listen(tlsListener, config.clientProxy.tlsPort, config.clientProxy.host);
      closers.push(() => closeServer(tlsListener));
    }

    const provider = createMtlsServer(createProviderProxyApp(deps), {
      certificatePem: identity.tls.certificatePem,
      keyPem: identity.tls.keyPem,
      caPem: identity.caPem,
      limits,
      onRefused: listenerRefusals(deps.metrics, 'provider'),
    });
    await listen(provider, config.providerProxy.port, config.providerProxy.host);
    closers.push(() => closeServer(provider));

    const clientUrl = urlOf(clientListener, config.clientProxy.host, 'http');
    const providerUrl = urlOf(provider, config.providerProxy.host, 'https');
    logger.info('security server listening', { serverId: identity.serverId, clientUrl, providerUrl });
    return { clientUrl, providerUrl, deps, close };
  } catch (error) {
    await close();
    throw error;
  }
}
