/**
 * An exchange network whose gateway runs as real processes, the scale-out
 * layout of a deployment: `ortoo gateway start` serving the admin API and
 * `/v1/exchange`, and `ortoo gateway worker` processes delivering, all on one
 * PostgreSQL schema and one Redis key prefix. This process holds the registry
 * fixtures, the provider endpoints and the consumer's client.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PgStore, type SqlStore } from '../../core/src';
import { migrateGatewayStore } from '../../gateway/src/database';
import type { ServiceSettings } from '../../gateway/src/registry/service-repository';
import { loadOrCreateTrust, type GatewayTrust } from '../../gateway/src/trust/gateway-trust';
import {
  TEST_REDIS_URL,
  consumerClient,
  removeRedisKeys,
  seedExchangeNetwork,
  type ConsumerClient,
  type SeededNetwork,
} from './exchange-network';
import { freePort, stopProcess, waitForOutput } from './processes';
import { TEST_DATABASE_URL, randomSchema } from './store-engines';

const ROOT = path.resolve(__dirname, '..', '..');

/** Options of {@link startProcessNetwork}. */
export interface ProcessNetworkOptions {
  /** Delivery workers: inside the gateway process, or as separate `ortoo gateway worker` processes. */
  readonly workers: 'in-gateway' | 'separate';
  /** Settings of the person service. */
  readonly service?: Partial<ServiceSettings>;
  /** Further environment of the gateway processes. */
  readonly env?: NodeJS.ProcessEnv;
  /** Write a CPU profile of each gateway process into this folder. */
  readonly profileDir?: string;
}

/** A running process network. */
export interface ProcessNetwork extends Omit<ConsumerClient, 'close'>, Omit<SeededNetwork, 'close'> {
  /** The gateway's store, opened by this process on the same schema. */
  readonly store: SqlStore;
  readonly trust: GatewayTrust;
  readonly exchangeUrl: string;
  readonly adminUrl: string;
  /** The environment the gateway processes run with. */
  readonly env: NodeJS.ProcessEnv;
  readonly gateway: ChildProcess;
  /** The separate worker processes running now. */
  readonly workers: readonly ChildProcess[];
  /** Base URL of a worker's `/healthz`, `/readyz` and `/metrics`. */
  opsUrlOf(worker: ChildProcess): string | undefined;
  /** Starts one more `ortoo gateway worker`. */
  startWorker(): Promise<ChildProcess>;
  /** Stops every separate worker (SIGTERM: running deliveries finish). */
  stopWorkers(): Promise<void>;
  /** Stops the processes, drops the schema, removes the Redis keys and the folder. */
  close(): Promise<void>;
}

/** Starts `ortoo gateway <command>` with `env` and waits until it says it runs. */
async function startOrtoo(
  command: 'start' | 'worker',
  env: NodeJS.ProcessEnv,
  profileDir: string | undefined,
): Promise<ChildProcess> {
  const flags =
    profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${path.join(profileDir, command)}`];
  const child = spawn(process.execPath, [...flags, path.join(ROOT, 'bin/ortoo.js'), 'gateway', command], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await waitForOutput(child, command === 'start' ? /listening on/ : /running/, 60_000);
  child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(chunk));
  return child;
}

/** Starts the network: registry seeded first, then the gateway processes on it. */
export async function startProcessNetwork(options: ProcessNetworkOptions): Promise<ProcessNetwork> {
  const dir = mkdtempSync(path.join(tmpdir(), 'ortoo-process-network-'));
  const schema = randomSchema('net');
  const queuePrefix = `ortoo-test-${randomUUID()}`;
  const store = await PgStore.open({ connectionString: TEST_DATABASE_URL, schema });
  const workers: ChildProcess[] = [];
  const workerOpsUrls = new Map<ChildProcess, string>();
  const cleanups: (() => Promise<unknown> | void)[] = [
    () => rmSync(dir, { recursive: true, force: true }),
    () => removeRedisKeys(queuePrefix),
    () => store.close(),
    () => store.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`),
  ];
  const close = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  };
  try {
    await migrateGatewayStore(store);
    const certsDir = path.join(dir, 'certs');
    const trust = loadOrCreateTrust({ dir: certsDir, instance: 'MN' });
    const seeded = await seedExchangeNetwork(store, trust, {
      ...(options.service === undefined ? {} : { service: options.service }),
    });
    cleanups.push(() => seeded.close());

    const exchangePort = await freePort();
    const adminPort = await freePort();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ORTOO_INSTANCE: 'MN',
      DATABASE_URL: TEST_DATABASE_URL,
      ORTOO_DATABASE_SCHEMA: schema,
      ORTOO_CERTS_DIR: certsDir,
      REDIS_URL: TEST_REDIS_URL,
      ORTOO_QUEUE_PREFIX: queuePrefix,
      ORTOO_GATEWAY_PORT: String(adminPort),
      ORTOO_EXCHANGE_PORT: String(exchangePort),
      ORTOO_DELIVERY_WORKERS: options.workers === 'in-gateway' ? 'true' : 'false',
      LOG_LEVEL: 'warn',
      ...options.env,
    };
    const gateway = await startOrtoo('start', env, options.profileDir);
    cleanups.push(() => stopProcess(gateway));
    const stopWorkers = async () => {
      await Promise.all(workers.splice(0).map((worker) => stopProcess(worker)));
    };
    cleanups.push(stopWorkers);
    const startWorker = async () => {
      // Its own port for its operational endpoints.
      const opsPort = await freePort();
      const worker = await startOrtoo(
        'worker',
        { ...env, ORTOO_GATEWAY_PORT: String(opsPort) },
        options.profileDir,
      );
      workerOpsUrls.set(worker, `http://127.0.0.1:${opsPort}`);
      workers.push(worker);
      return worker;
    };
    if (options.workers === 'separate') await startWorker();

    const exchangeUrl = `https://127.0.0.1:${exchangePort}`;
    const client = consumerClient(seeded.consumer, exchangeUrl, [trust.ca.certificate.pem]);
    cleanups.push(() => client.close());
    return {
      ...client,
      store,
      trust,
      exchangeUrl,
      adminUrl: `http://127.0.0.1:${adminPort}`,
      env,
      gateway,
      workers,
      consumer: seeded.consumer,
      provider: seeded.provider,
      providerIdentity: seeded.providerIdentity,
      addProvider: seeded.addProvider,
      startWorker,
      stopWorkers,
      opsUrlOf: (worker) => workerOpsUrls.get(worker),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
