/**
 * The whole-exchange benchmark's network, set up as an operator sets one up
 * and run as real processes: `ortoo gateway init|bootstrap|start` (its
 * delivery workers inside, or as `ortoo gateway worker` processes), the
 * registry filled through the admin API, the civil registry's and
 * e-Mongolia's security servers made, registered and started with `ortoo ss
 * init|register|service|api-key|start`, and the record backend as a process
 * of its own. Everything lives in a temporary folder, on a random
 * PostgreSQL schema per part (or PGlite) and a random Redis key prefix, and
 * `close` removes it all.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { RedisTarget } from '../../gateway/src/redis';
import { TRUST_FILES } from '../../gateway/src/trust/gateway-trust';
import { TEST_REDIS_URL, removeRedisKeys } from '../../tests/helpers/exchange-network';
import { freePort } from '../../tests/helpers/processes';
import { startTcpLoadBalancer, type TcpLoadBalancer } from '../../tests/helpers/tcp-load-balancer';
import { TEST_DATABASE_URL, randomSchema } from '../../tests/helpers/store-engines';
import { CIVIL_REGISTRY, E_SERVICES, PERSON_SERVICE } from '../demo/demo-data';
import {
  adminApi,
  ensure,
  runOrtoo,
  runOrtooAsync,
  serviceRegistration,
  startNodeProcess,
  startOrtooProcess,
  type NodeProcess,
  type ProcessExit,
} from '../network/ortoo-cli';
import { PERSON_SCHEMA } from './person-record';
import { parentOf, processFamily, serversOf } from './process-cpu';

/** Where the network keeps its SQL data. */
export type BenchStore = 'postgres' | 'pglite';

/** Options of {@link startBenchNetwork}. */
export interface BenchNetworkOptions {
  readonly store: BenchStore;
  /** Separate `ortoo gateway worker` processes; 0 runs the delivery workers inside the gateway. PostgreSQL only. */
  readonly workers: number;
  /**
   * Gateway processes serving the admin API and `/v1/exchange`; more than one
   * run behind haproxy in TCP mode, which the security servers call. PostgreSQL only.
   * @defaultValue 1
   */
  readonly gateways?: number;
  /** The Redis of the gateway processes (a Redis Cluster too). @defaultValue the tests' Redis, `REDIS_URL` */
  readonly redis?: RedisTarget;
  /** Deliveries in flight per provider server and process (`ORTOO_DELIVERY_CONCURRENCY`). */
  readonly deliveryConcurrency: number;
  /** `LOG_LEVEL` of every process. */
  readonly logLevel: string;
  /** Folder of the processes' logs. */
  readonly logDir: string;
  /** When set, every node process writes a CPU profile into `<profileDir>/<process>`. */
  readonly profileDir?: string;
  /** Given, before anything starts, what stops and removes everything started so far (for Ctrl-C). */
  readonly onCloseable?: (close: () => Promise<unknown>) => void;
  /** The backend answers each call this late (fault runs need calls in flight). @defaultValue 0 */
  readonly backendDelayMs?: number;
  /** The person service's retries. @defaultValue 5 attempts, 100 ms backoff */
  readonly retryPolicy?: { readonly maxAttempts: number; readonly backoffMs: number };
  /** The person service's timeout. @defaultValue 30 000 ms */
  readonly serviceTimeoutMs?: number;
  /**
   * The gateway processes' PostgreSQL, when not the benchmark's own (a fault
   * run puts a proxy it can cut in between). PostgreSQL only.
   */
  readonly gatewayDatabaseUrl?: string;
  /** Further environment of the gateway processes. */
  readonly gatewayEnv?: NodeJS.ProcessEnv;
}

/** The running network. */
export interface BenchNetwork {
  readonly store: BenchStore;
  /** The measured node processes by name: gateway, worker-N, consumer-ss, provider-ss, backend. */
  readonly processes: ReadonlyMap<string, NodeProcess>;
  /** The pid of the Redis server (of the first seed node, on a cluster). */
  readonly redisPid: number;
  /** The gateway's PostgreSQL schema (undefined on PGlite), for reading its audit log. */
  readonly gatewaySchema: string | undefined;
  /** The pids of the PostgreSQL backends serving this network's processes now (none on PGlite). */
  postgresPids(): number[];
  /** Node flags a further process (the load generator) should start with to be profiled as `name`. */
  nodeFlagsOf(name: string): string[];
  /** The consumer's client proxy, e.g. `http://127.0.0.1:1234`. */
  readonly clientUrl: string;
  /** The backend's URL of the person service, as the provider server calls it. */
  readonly backendUrl: string;
  /** The backend's own base URL. */
  readonly backendOrigin: string;
  readonly serviceId: string;
  readonly clientId: string;
  /** The provider's security server: its queue's keys share the hash tag `{<this id>}`. */
  readonly providerServerId: string;
  /** The portal's API key at the consumer's client proxy. */
  readonly apiKey: string;
  /** Stops every process by its pid and removes the schemas, the Redis keys and the folder. */
  /**
   * Kills one of the processes at once (SIGKILL), as a crash would, and
   * starts it again as it was started; resolves once it is ready again.
   */
  crashAndRestart(name: string): Promise<void>;
  /** Kills one of the processes at once (SIGKILL) and waits for it to exit. */
  crash(name: string): Promise<void>;
  /**
   * Starts a process {@link crash}ed before again, as it was started (with
   * `extraEnv` added, e.g. a fake clock); resolves once it is ready.
   */
  restart(name: string, extraEnv?: NodeJS.ProcessEnv): Promise<void>;
  close(): Promise<Map<string, ProcessExit>>;
}

/** How long a process may take to start: long, as on a machine busy with other work it can take minutes. */
const START_TIMEOUT_MS = 180_000;

/** The connection string of the PostgreSQL the benchmark uses. */
export const BENCH_DATABASE_URL = TEST_DATABASE_URL;

/** The pid of the Redis server at `url` (`INFO server`'s process_id). */
async function redisServerPid(url: string): Promise<number> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    const info = await redis.info('server');
    const pid = /process_id:(\d+)/.exec(info)?.[1];
    if (pid === undefined) throw new Error(`no process_id in Redis INFO server at ${url}`);
    return Number(pid);
  } finally {
    redis.disconnect();
  }
}

/** The pid of the PostgreSQL server (postmaster) at `url`: the parent of a backend's process. */
async function postmasterPid(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const parent = parentOf(Number(rows[0]?.pid));
    if (parent === undefined) throw new Error('cannot read the PostgreSQL server process in /proc');
    return parent;
  } finally {
    await client.end();
  }
}

/** Drops schemas of the benchmark's PostgreSQL. */
async function dropSchemas(schemas: readonly string[]): Promise<void> {
  const client = new pg.Client({ connectionString: BENCH_DATABASE_URL });
  await client.connect();
  try {
    for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}

/** Parses the JSON a `--json` CLI command printed. */
function json<T>(stdout: string): T {
  return JSON.parse(stdout) as T;
}

/** Starts the network; on failure everything started so far is stopped and removed. */
export async function startBenchNetwork(options: BenchNetworkOptions): Promise<BenchNetwork> {
  const { store } = options;
  const gatewayCount = options.gateways ?? 1;
  if (store === 'pglite' && (options.workers > 0 || gatewayCount > 1)) {
    throw new Error('PGlite serves one process: separate worker and gateway processes need --store postgres');
  }
  const redis = options.redis ?? { url: TEST_REDIS_URL };
  const dir = mkdtempSync(path.join(tmpdir(), 'ortoo-bench-exchange-'));
  mkdirSync(options.logDir, { recursive: true });
  const queuePrefix = `ortoo-bench-${randomUUID()}`;
  const schemas = {
    gateway: randomSchema('bench_gw'),
    consumer: randomSchema('bench_consumer'),
    provider: randomSchema('bench_provider'),
  };
  const processes = new Map<string, NodeProcess>();
  const exits = new Map<string, ProcessExit>();
  let balancer: TcpLoadBalancer | undefined;
  const close = async (): Promise<Map<string, ProcessExit>> => {
    // The gateway first: a security server's close waits for the connections the gateway keeps
    // open to it, so it stops promptly only once the gateway has gone (nothing is in flight by then).
    for (const name of [...processes.keys()]) {
      const running = processes.get(name) as NodeProcess;
      exits.set(name, await running.stop());
    }
    processes.clear();
    await balancer?.close();
    if (store === 'postgres') await dropSchemas(Object.values(schemas));
    // A Redis of the caller's (a cluster, a private server) goes with its owner.
    if (options.redis === undefined) await removeRedisKeys(queuePrefix);
    rmSync(dir, { recursive: true, force: true });
    return exits;
  };
  options.onCloseable?.(close);

  const nodeFlagsOf = (name: string): string[] =>
    options.profileDir === undefined
      ? []
      : ['--cpu-prof', `--cpu-prof-dir=${path.join(options.profileDir, name)}`];
  const logFile = (name: string) => path.join(options.logDir, `${name}.log`);
  const baseEnv: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: options.logLevel };
  delete baseEnv.DATABASE_URL;
  const sqlEnv = (schemaVariable: string, schema: string): NodeJS.ProcessEnv =>
    store === 'postgres' ? { DATABASE_URL: BENCH_DATABASE_URL, [schemaVariable]: schema } : {};

  try {
    const firstNode = redis.clusterNodes?.[0];
    const redisPid = await redisServerPid(firstNode === undefined ? redis.url : `redis://${firstNode}`);
    const postmaster = store === 'postgres' ? await postmasterPid(BENCH_DATABASE_URL) : undefined;
    const postgresPort = Number(new URL(BENCH_DATABASE_URL).port || 5432);

    // The gateway.
    const certsDir = path.join(dir, 'certs');
    const gatewayPorts: { admin: number; exchange: number }[] = [];
    for (let i = 0; i < gatewayCount; i += 1) {
      gatewayPorts.push({ admin: await freePort(), exchange: await freePort() });
    }
    const [{ admin: adminPort, exchange: exchangePort }] = gatewayPorts as [
      { admin: number; exchange: number },
    ];
    const gatewayEnv: NodeJS.ProcessEnv = {
      ...baseEnv,
      ...sqlEnv('ORTOO_DATABASE_SCHEMA', schemas.gateway),
      ...(store === 'postgres' && options.gatewayDatabaseUrl !== undefined
        ? { DATABASE_URL: options.gatewayDatabaseUrl }
        : {}),
      ORTOO_INSTANCE: 'MN',
      ORTOO_CERTS_DIR: certsDir,
      ORTOO_GATEWAY_DATA_DIR: path.join(dir, 'gateway-db'),
      ORTOO_GATEWAY_PORT: String(adminPort),
      ORTOO_EXCHANGE_PORT: String(exchangePort),
      REDIS_URL: redis.url,
      ...(redis.clusterNodes === undefined ? {} : { REDIS_CLUSTER_NODES: redis.clusterNodes.join(',') }),
      ORTOO_QUEUE_PREFIX: queuePrefix,
      ORTOO_DELIVERY_WORKERS: options.workers === 0 ? 'true' : 'false',
      ORTOO_DELIVERY_CONCURRENCY: String(options.deliveryConcurrency),
      ...options.gatewayEnv,
    };
    runOrtoo(['gateway', 'init'], gatewayEnv);
    const { token } = json<{ token: string }>(
      runOrtoo(['gateway', 'bootstrap', '--name', 'Benchmark administrator', '--json'], gatewayEnv),
    );
    const started = new Map<string, (extraEnv?: NodeJS.ProcessEnv) => Promise<void>>();
    const start = async (name: string, args: string[], env: NodeJS.ProcessEnv, ready: RegExp) => {
      started.set(name, (extraEnv) => start(name, args, { ...env, ...extraEnv }, ready));
      const running = await startOrtooProcess({
        name,
        args,
        env,
        ready,
        logFile: logFile(name),
        reportDir: options.logDir,
        startTimeoutMs: START_TIMEOUT_MS,
        nodeFlags: nodeFlagsOf(name),
      });
      processes.set(name, running);
    };
    await start('gateway', ['gateway', 'start'], gatewayEnv, /listening on/);
    // Further gateways, all alike but for their ports, once the first has migrated the store.
    for (const [index, ports] of gatewayPorts.entries()) {
      if (index === 0) continue;
      await start(
        `gateway-${index + 1}`,
        ['gateway', 'start'],
        {
          ...gatewayEnv,
          ORTOO_GATEWAY_PORT: String(ports.admin),
          ORTOO_EXCHANGE_PORT: String(ports.exchange),
        },
        /listening on/,
      );
    }
    if (gatewayCount > 1) {
      balancer = await startTcpLoadBalancer([
        { name: 'admin', backends: gatewayPorts.map((ports) => ports.admin) },
        { name: 'exchange', backends: gatewayPorts.map((ports) => ports.exchange) },
      ]);
    }
    const publicPort = (name: 'admin' | 'exchange', own: number) => balancer?.ports.get(name) ?? own;
    const adminUrl = `http://127.0.0.1:${publicPort('admin', adminPort)}`;
    const exchangeUrl = `https://127.0.0.1:${publicPort('exchange', exchangePort)}`;
    const admin = adminApi(adminUrl, token);

    // The registry: both agencies, the person service answering the benchmark's record, the portal's right.
    for (const agency of [CIVIL_REGISTRY, E_SERVICES]) {
      await ensure(admin('POST', '/v1/members', { id: agency.memberId, name: agency.name }), agency.memberId);
      await ensure(admin('POST', '/v1/subsystems', { id: agency.subsystemId }), agency.subsystemId);
    }
    await ensure(
      admin(
        'POST',
        '/v1/services',
        serviceRegistration(PERSON_SERVICE, {
          responseSchema: PERSON_SCHEMA,
          timeoutMs: options.serviceTimeoutMs ?? 30_000,
          retryPolicy: options.retryPolicy ?? { maxAttempts: 5, backoffMs: 100 },
        }),
      ),
      PERSON_SERVICE.id,
    );
    await ensure(
      admin('POST', '/v1/access-rights', { serviceId: PERSON_SERVICE.id, clientId: E_SERVICES.subsystemId }),
      'access right',
    );

    // The two security servers, each from its own folder through the registration flow.
    const backendPort = await freePort();
    const backendOrigin = `http://127.0.0.1:${backendPort}`;
    const backendUrl = `${backendOrigin}${PERSON_SERVICE.backendPath}`;
    const anchor = path.join(certsDir, TRUST_FILES.confCertificate);
    const servers = {
      provider: { serverId: `${CIVIL_REGISTRY.memberId}/ss1`, dir: path.join(dir, 'ss-provider') },
      consumer: { serverId: `${E_SERVICES.memberId}/ss1`, dir: path.join(dir, 'ss-consumer') },
    };
    const clientPorts = new Map<string, number>();
    /** Makes a server's folder and registers it: token, CSRs, approval, certificates. */
    const register = async (role: keyof typeof servers) => {
      const server = servers[role];
      const clientPort = await freePort();
      clientPorts.set(role, clientPort);
      await runOrtooAsync(
        [
          'ss',
          'init',
          server.dir,
          '--server-id',
          server.serverId,
          '--gateway-url',
          adminUrl,
          '--exchange-url',
          exchangeUrl,
          '--anchor',
          anchor,
          '--client-port',
          String(clientPort),
          '--provider-port',
          String(await freePort()),
        ],
        baseEnv,
      );
      const issued = await admin('POST', '/v1/registration-tokens', { securityServerId: server.serverId });
      const registrationToken = (issued.body as { token?: string }).token;
      if (registrationToken === undefined) throw new Error(`no registration token: ${issued.status}`);
      const submitted = json<{ id: string }>(
        await runOrtooAsync(
          ['ss', 'register', server.dir, '--token', registrationToken, '--no-wait', '--json'],
          baseEnv,
        ),
      );
      await ensure(
        admin('POST', `/v1/registrations/${submitted.id}/approve`),
        `approval of ${server.serverId}`,
      );
      await runOrtooAsync(['ss', 'register', server.dir, '--json'], baseEnv);
    };
    // Both servers and the backend at once: each one's steps wait on the CLI, not on the others.
    const [, { apiKey }] = await Promise.all([
      register('provider').then(() =>
        runOrtooAsync(
          ['ss', 'service', servers.provider.dir, PERSON_SERVICE.id, '--backend', backendUrl],
          baseEnv,
        ),
      ),
      register('consumer').then(async () =>
        json<{ apiKey: string }>(
          await runOrtooAsync(
            [
              'ss',
              'api-key',
              servers.consumer.dir,
              '--name',
              'portal',
              '--client',
              E_SERVICES.subsystemId,
              '--json',
            ],
            baseEnv,
          ),
        ),
      ),
      (async function startBackend() {
        started.set('backend', startBackend);
        const running = await startNodeProcess({
          name: 'backend',
          argv: ['--require', 'tsx/cjs', path.join(__dirname, 'record-backend.ts'), String(backendPort)],
          env: { ...baseEnv, RECORD_BACKEND_DELAY_MS: String(options.backendDelayMs ?? 0) },
          ready: /listening on/,
          logFile: logFile('backend'),
          reportDir: options.logDir,
          startTimeoutMs: START_TIMEOUT_MS,
          nodeFlags: nodeFlagsOf('backend'),
        });
        processes.set('backend', running);
      })(),
    ]);
    // Started once both are registered, so each one's first configuration already knows the other.
    await Promise.all([
      start(
        'provider-ss',
        ['ss', 'start', servers.provider.dir],
        { ...baseEnv, ...sqlEnv('ORTOO_SS_DATABASE_SCHEMA', schemas.provider) },
        /listening/,
      ),
      start(
        'consumer-ss',
        ['ss', 'start', servers.consumer.dir],
        { ...baseEnv, ...sqlEnv('ORTOO_SS_DATABASE_SCHEMA', schemas.consumer) },
        /listening/,
      ),
    ]);
    // Separate workers once the provider server is registered: a worker process learns of servers
    // registered after its start only when something asks its routing table, and nothing does.
    for (let i = 1; i <= options.workers; i += 1) {
      const opsPort = await freePort();
      await start(
        `worker-${i}`,
        ['gateway', 'worker'],
        { ...gatewayEnv, ORTOO_GATEWAY_PORT: String(opsPort) },
        /running/,
      );
    }
    const crash = async (name: string) => {
      const running = processes.get(name);
      if (running === undefined) throw new Error(`no process ${name} to crash`);
      const exited = new Promise((resolve) => running.child.once('exit', resolve));
      running.child.kill('SIGKILL');
      await exited;
      processes.delete(name);
    };
    const restart = async (name: string, extraEnv?: NodeJS.ProcessEnv) => {
      const again = started.get(name);
      if (again === undefined || processes.has(name))
        throw new Error(`no stopped process ${name} to restart`);
      await again(extraEnv);
    };
    // One order whatever started first: the gateway side, the backend, the provider, the consumer.
    const rank = (name: string) =>
      ['gateway', 'worker', 'backend', 'provider', 'consumer'].indexOf(name.split('-')[0] ?? '');
    const ordered = [...processes].sort(([a], [b]) => rank(a) - rank(b));
    processes.clear();
    for (const [name, running] of ordered) processes.set(name, running);

    return {
      store,
      processes,
      redisPid,
      gatewaySchema: store === 'postgres' ? schemas.gateway : undefined,
      postgresPids: () =>
        postmaster === undefined
          ? []
          : serversOf(
              [...processes.values()].map((running) => running.pid),
              processFamily(postmaster),
              postgresPort,
            ),
      nodeFlagsOf,
      clientUrl: `http://127.0.0.1:${clientPorts.get('consumer') as number}`,
      backendUrl,
      backendOrigin,
      serviceId: PERSON_SERVICE.id,
      clientId: E_SERVICES.subsystemId,
      providerServerId: servers.provider.serverId,
      apiKey,
      crash,
      restart,
      async crashAndRestart(name) {
        await crash(name);
        await restart(name);
      },
      close,
    };
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
}

/** The processes of `names` that left no CPU profile in `<profileDir>/<name>`. */
export function missingProfiles(profileDir: string, names: readonly string[]): string[] {
  return names.filter((name) => {
    const folder = path.join(profileDir, name);
    return !existsSync(folder) || !readdirSync(folder).some((file) => file.endsWith('.cpuprofile'));
  });
}
