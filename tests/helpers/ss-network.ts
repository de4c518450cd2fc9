/**
 * Two agencies exchanging through a gateway, in one test process, each part
 * set up the way a deployment sets it up: a gateway (store, trust material,
 * admin API and router on real Redis), the civil registry's security server
 * and its backend, and e-Mongolia's security server, both registered through
 * the gateway's registration flow from their own folders (`ortoo ss init`'s
 * code), with the person service and an access right registered through the
 * admin API, and a local system with an API key.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { Express } from 'express';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import {
  ReadinessChecker,
  createHardenedServer,
  createMetricsRegistry,
  listenerLimitsOf,
} from '../../core/src';
import { createApp } from '../../gateway/src/app';
import { gatewayReadinessChecks, ownCertificatesOf } from '../../gateway/src/observability';
import { ADMIN_ROUTERS } from '../../gateway/src/routes';
import { opsRouter } from '../../gateway/src/routes/ops';
import { startExchangeRuntime, type ExchangeRuntime } from '../../gateway/src/exchange/exchange-runtime';
import {
  CIVIL_REGISTRY,
  E_SERVICES,
  PERSON_SERVICE,
  repoPath,
  schemaFilesOf,
} from '../../scripts/demo/demo-data';
import { createCivilRegistryBackend, startBackend, type RunningBackend } from '../../scripts/demo/backends';
import {
  hashApiKey,
  loadSecurityServerConfig,
  type SecurityServerConfig,
} from '../../security-server/src/config';
import { startSecurityServer, type RunningSecurityServer } from '../../security-server/src/main';
import { registerServer } from '../../security-server/src/registration-client';
import { initServerFolder } from '../../security-server/src/server-folder';
import { TEST_REDIS_URL, removeRedisKeys } from './exchange-network';
import { startGateway, type GatewayHarness } from './gateway-harness';
import { freePort } from './processes';

/** One agency's security server, running. */
export interface AgencyServer {
  readonly dir: string;
  readonly serverId: string;
  readonly config: SecurityServerConfig;
  readonly running: RunningSecurityServer;
  /** Base URL of its client proxy. */
  readonly clientUrl: string;
}

/** A running two-agency network. */
export interface SsNetwork {
  readonly gateway: GatewayHarness;
  readonly runtime: ExchangeRuntime;
  /** The gateway's admin API, listening. */
  readonly adminUrl: string;
  readonly consumer: AgencyServer;
  readonly provider: AgencyServer;
  readonly backend: RunningBackend;
  /** The API key of the portal's local system, allowed to act as e-Mongolia's `e-services`. */
  readonly apiKey: string;
  /** Calls e-Mongolia's client proxy as the portal. */
  call(pathAndQuery: string, init?: RequestInit): Promise<Response>;
  /** Stops everything; resolves with what failed to stop. */
  close(): Promise<unknown[]>;
}

/** Options of {@link startSsNetwork}. */
export interface SsNetworkOptions {
  /** Further configuration of both security servers (env overrides). */
  readonly ssEnv?: Record<string, string>;
  /** Further configuration of the gateway (env overrides). */
  readonly gatewayEnv?: Record<string, string>;
  /** Timeout of the provider's backend call. @defaultValue 5000 */
  readonly backendTimeoutMs?: number;
  /** The provider's backend, served at the person service's backend path. @defaultValue the demo's civil registry */
  readonly backend?: Express;
  /** Further fields of the person service's registration, e.g. `requestMediaTypes`. */
  readonly serviceFields?: Record<string, unknown>;
  /** Further registrations through the admin API, made before the security servers start. */
  readonly register?: (admin: ReturnType<typeof request>, authorization: string) => Promise<void>;
}

/** Makes a server folder, registers it (token, CSR, approval) and returns its loaded config. */
async function registerAgency(
  harness: GatewayHarness,
  adminUrl: string,
  exchangeUrl: string,
  serverId: string,
  root: string,
): Promise<{ dir: string; config: SecurityServerConfig }> {
  const dir = path.join(root, serverId.replaceAll('/', '_'));
  const clientPort = await freePort();
  const providerPort = await freePort();
  initServerFolder(dir, {
    serverId,
    gatewayUrl: adminUrl,
    exchangeUrl,
    anchorPem: harness.deps.trust.confCertificate.pem,
    clientPort,
    providerPort,
  });
  const admin = request(adminUrl);
  const token = await admin
    .post('/v1/registration-tokens')
    .set('Authorization', harness.admin)
    .send({ securityServerId: serverId })
    .expect(201);
  const config = loadSecurityServerConfig({ dir });
  const submitted = await registerServer(dir, config, { token: token.body.token as string, wait: false });
  await admin
    .post(`/v1/registrations/${submitted.id}/approve`)
    .set('Authorization', harness.admin)
    .expect(200);
  const approved = await registerServer(dir, config, { pollIntervalMs: 50, timeoutMs: 10_000 });
  if (approved.status !== 'approved') throw new Error(`registration of ${serverId} not approved`);
  return { dir, config };
}

/** Edits a server's `config.json`. */
function editConfig(dir: string, edit: (config: Record<string, unknown>) => void): void {
  const file = path.join(dir, 'config.json');
  const config = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  edit(config);
  writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`);
}

/** Starts the network; everything it made is removed by `close`. */
export async function startSsNetwork(options: SsNetworkOptions = {}): Promise<SsNetwork> {
  const root = mkdtempSync(path.join(tmpdir(), 'ortoo-ss-network-'));
  const queuePrefix = `ortoo-test-${randomUUID()}`;
  const gateway = await startGateway('postgres', {
    env: {
      ORTOO_QUEUE_PREFIX: queuePrefix,
      ORTOO_EXCHANGE_PORT: '0',
      REDIS_URL: TEST_REDIS_URL,
      ...options.gatewayEnv,
    },
  });
  const cleanups: (() => Promise<unknown> | void)[] = [
    () => rmSync(root, { recursive: true, force: true }),
    () => removeRedisKeys(queuePrefix),
    () => gateway.close(),
  ];
  // Every part is stopped even when one fails to (a test may have stopped the backend itself).
  const close = async () => {
    const failures: unknown[] = [];
    for (const cleanup of cleanups.reverse()) {
      await Promise.resolve()
        .then(cleanup)
        .catch((error: unknown) => failures.push(error));
    }
    return failures;
  };
  try {
    const metrics = createMetricsRegistry({ collectDefault: false });
    const runtime = await startExchangeRuntime(gateway.deps, { listen: true, workers: true, metrics });
    cleanups.push(() => runtime.close());
    // The admin listener as `gateway start` serves it: hardened, with its operational endpoints.
    const { deps } = gateway;
    const readiness = new ReadinessChecker(
      gatewayReadinessChecks({
        redis: runtime.redis,
        store: gateway.store,
        globalConf: deps.globalConf,
        certificates: ownCertificatesOf(deps.trust),
        clock: deps.clock,
      }),
    );
    const adminApp = createApp(deps, [...ADMIN_ROUTERS, opsRouter(metrics, readiness)]);
    const adminServer: Server = createHardenedServer(adminApp, {
      limits: listenerLimitsOf(deps.config.limits),
    });
    adminServer.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => adminServer.once('listening', resolve));
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          adminServer.close(() => resolve());
          adminServer.closeAllConnections();
        }),
    );
    const adminUrl = `http://127.0.0.1:${(adminServer.address() as AddressInfo).port}`;
    const exchangeUrl = runtime.url as string;
    const admin = request(adminUrl);
    const auth = gateway.admin;

    for (const agency of [CIVIL_REGISTRY, E_SERVICES]) {
      await admin
        .post('/v1/members')
        .set('Authorization', auth)
        .send({ id: agency.memberId, name: agency.name })
        .expect(201);
      await admin
        .post('/v1/subsystems')
        .set('Authorization', auth)
        .send({ id: agency.subsystemId })
        .expect(201);
    }
    const provider = await registerAgency(
      gateway,
      adminUrl,
      exchangeUrl,
      `${CIVIL_REGISTRY.memberId}/ss1`,
      root,
    );
    const consumer = await registerAgency(gateway, adminUrl, exchangeUrl, `${E_SERVICES.memberId}/ss1`, root);

    await admin
      .post('/v1/services')
      .set('Authorization', auth)
      .send({
        id: PERSON_SERVICE.id,
        version: PERSON_SERVICE.version,
        title: PERSON_SERVICE.title,
        requestSchema: JSON.parse(
          readFileSync(repoPath(schemaFilesOf(PERSON_SERVICE).requestSchema), 'utf8'),
        ),
        responseSchema: JSON.parse(
          readFileSync(repoPath(schemaFilesOf(PERSON_SERVICE).responseSchema), 'utf8'),
        ),
        timeoutMs: 10_000,
        retryPolicy: { maxAttempts: 3, backoffMs: 50 },
        dataSubjectPointer: PERSON_SERVICE.dataSubjectPointer,
        ...options.serviceFields,
      })
      .expect(201);
    await admin
      .post('/v1/access-rights')
      .set('Authorization', auth)
      .send({ serviceId: PERSON_SERVICE.id, clientId: E_SERVICES.subsystemId })
      .expect(201);

    await options.register?.(admin, auth);

    const backend = await startBackend(options.backend ?? createCivilRegistryBackend(), 0);
    cleanups.push(() => backend.close());
    editConfig(provider.dir, (config) => {
      config.services = [
        {
          serviceId: PERSON_SERVICE.id,
          backendUrl: `${backend.origin}${PERSON_SERVICE.backendPath}`,
          timeoutMs: options.backendTimeoutMs ?? 5000,
        },
      ];
    });
    const apiKey = randomBytes(24).toString('base64url');
    editConfig(consumer.dir, (config) => {
      config.localSystems = [
        { name: 'portal', apiKeyHash: hashApiKey(apiKey), clients: [E_SERVICES.subsystemId] },
      ];
    });

    const start = async ({ dir }: { dir: string }): Promise<AgencyServer> => {
      const config = loadSecurityServerConfig({ dir, env: { LOG_LEVEL: 'warn', ...options.ssEnv } });
      const running = await startSecurityServer({ dir, config });
      cleanups.push(() => running.close());
      return { dir, serverId: config.serverId, config, running, clientUrl: running.clientUrl };
    };
    const providerServer = await start(provider);
    const consumerServer = await start(consumer);

    return {
      gateway,
      runtime,
      adminUrl,
      consumer: consumerServer,
      provider: providerServer,
      backend,
      apiKey,
      call(pathAndQuery, init = {}) {
        const headers = new Headers(init.headers);
        if (!headers.has('authorization')) headers.set('authorization', `Bearer ${apiKey}`);
        return fetch(`${consumerServer.clientUrl}${pathAndQuery}`, { ...init, headers });
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
