/**
 * A throw-away Redis Cluster on this machine: `redis-server --cluster-enabled
 * yes` nodes on free ports, each in its own folder of a temporary directory,
 * joined by `redis-cli --cluster create` into masters with a replica each.
 * Nothing is persisted but each node's `nodes.conf`, so a killed node started
 * again rejoins the cluster (as a replica of whoever took over its slots).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eventually } from './eventually';
import { freePort, stopProcess } from './processes';

/** One node of the cluster. */
export interface ClusterNode {
  /** `127.0.0.1:<port>`, as the cluster and its clients name it. */
  readonly address: string;
  readonly port: number;
  /** The running server; undefined while it is down. */
  readonly process: ChildProcess | undefined;
}

/** Options of {@link startRedisCluster}. */
export interface RedisClusterOptions {
  /** @defaultValue 3 */
  readonly masters?: number;
  /** How long a node may be unreachable before its replica takes over (`cluster-node-timeout`). @defaultValue 1000 ms */
  readonly nodeTimeoutMs?: number;
}

/** A running cluster. */
export interface RedisCluster {
  /** Every node's `host:port`: the seeds for `REDIS_CLUSTER_NODES`. */
  readonly seeds: readonly string[];
  readonly nodes: readonly ClusterNode[];
  /** The addresses of the nodes that are masters now, by `CLUSTER NODES` of a live node. */
  masters(): string[];
  /** The address of the master that serves `key`'s slot now. */
  masterOf(key: string): string;
  /**
   * Kills the master at `address` (SIGKILL), as a crash would, and resolves
   * once its replica has taken its slots over and the cluster is whole again;
   * with the time that took.
   */
  crashMaster(address: string, timeoutMs?: number): Promise<{ failoverMs: number }>;
  /** Starts a killed node again and waits until it is back in the cluster. */
  restart(address: string, timeoutMs?: number): Promise<void>;
  /** Stops every node and removes the folder. */
  close(): Promise<void>;
}

/** Runs `redis-cli` to completion and returns its output. */
function redisCli(args: readonly string[]): string {
  const run = spawnSync('redis-cli', args, { encoding: 'utf8', timeout: 30_000 });
  if (run.status !== 0) throw new Error(`redis-cli ${args.join(' ')} failed: ${run.stderr}${run.stdout}`);
  return run.stdout;
}

/** `CLUSTER INFO`'s `cluster_state` and `CLUSTER NODES` of the node at `port`, or undefined when it does not answer. */
function clusterView(port: number): { ok: boolean; nodes: string } | undefined {
  const run = spawnSync('redis-cli', ['-p', String(port), 'cluster', 'info'], {
    encoding: 'utf8',
    timeout: 2000,
  });
  if (run.status !== 0 || !run.stdout.includes('cluster_state')) return undefined;
  const nodes = spawnSync('redis-cli', ['-p', String(port), 'cluster', 'nodes'], {
    encoding: 'utf8',
    timeout: 2000,
  });
  return { ok: run.stdout.includes('cluster_state:ok'), nodes: nodes.stdout };
}

/** Resolves once `check` holds, polling every 100 ms; throws with `what` after `timeoutMs`. */
async function until(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  await eventually(`Redis Cluster: ${what}`, () => (check() ? true : undefined), {
    timeoutMs,
    intervalMs: 100,
  });
}

/** Addresses of the masters that are up, from a `CLUSTER NODES` listing. */
function mastersIn(listing: string): string[] {
  return listing
    .split('\n')
    .map((line) => line.split(' '))
    .filter((fields) => (fields[2] ?? '').includes('master') && !(fields[2] ?? '').includes('fail'))
    .map((fields) => (fields[1] ?? '').split('@')[0] ?? '');
}

/** The address of the live master whose slot ranges hold `slot`, from a `CLUSTER NODES` listing. */
function masterServing(listing: string, slot: number): string {
  for (const fields of listing.split('\n').map((line) => line.trim().split(' '))) {
    const flags = fields[2] ?? '';
    if (!flags.includes('master') || flags.includes('fail')) continue;
    const serves = fields.slice(8).some((range) => {
      const [from, to = from] = range.split('-').map(Number);
      return from !== undefined && slot >= from && slot <= (to as number);
    });
    if (serves) return (fields[1] ?? '').split('@')[0] ?? '';
  }
  throw new Error(`no master serves slot ${slot}`);
}

/** Starts the cluster; `redis-server` and `redis-cli` (Redis 7) must be installed. */
export async function startRedisCluster(options: RedisClusterOptions = {}): Promise<RedisCluster> {
  const masterCount = options.masters ?? 3;
  const nodeTimeoutMs = options.nodeTimeoutMs ?? 1000;
  const dir = mkdtempSync(path.join(tmpdir(), 'ortoo-redis-cluster-'));
  const nodes: { address: string; port: number; busPort: number; process: ChildProcess | undefined }[] = [];

  const launch = async (node: (typeof nodes)[number]) => {
    const nodeDir = path.join(dir, String(node.port));
    mkdirSync(nodeDir, { recursive: true });
    // The bus port is chosen too: the default (port + 10000) may be taken or beyond 65535.
    const child = spawn(
      'redis-server',
      [
        '--port', String(node.port),
        '--cluster-port', String(node.busPort),
        '--bind', '127.0.0.1',
        '--cluster-enabled', 'yes',
        '--cluster-config-file', 'nodes.conf',
        '--cluster-node-timeout', String(nodeTimeoutMs),
        // A replica takes over however long ago it last heard from its master (the default
        // refuses after ten node timeouts), and the other masters' slots serve meanwhile.
        '--cluster-replica-validity-factor', '0',
        '--cluster-require-full-coverage', 'no',
        '--dir', nodeDir,
        '--save', '',
        '--appendonly', 'no',
        '--logfile', path.join(nodeDir, 'redis.log'),
      ],
      { stdio: 'ignore' },
    ); // prettier-ignore
    node.process = child;
    await until(`node ${node.address}`, () => clusterView(node.port) !== undefined, 10_000);
  };

  const close = async () => {
    await Promise.all(nodes.map((node) => (node.process ? stopProcess(node.process, 5000) : undefined)));
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    for (let i = 0; i < masterCount * 2; i += 1) {
      const port = await freePort();
      nodes.push({ address: `127.0.0.1:${port}`, port, busPort: await freePort(), process: undefined });
    }
    await Promise.all(nodes.map(launch));
    redisCli([
      '--cluster',
      'create',
      ...nodes.map((node) => node.address),
      '--cluster-replicas',
      '1',
      '--cluster-yes',
    ]);
    const whole = () =>
      nodes.every((node) => {
        const view = node.process === undefined ? { ok: true, nodes: '' } : clusterView(node.port);
        return view?.ok === true;
      });
    await until('the cluster to be whole', whole, 30_000);
    // Every replica has its master's data before anything is crashed.
    await until(
      'the replicas to be in sync',
      () =>
        nodes.every((node) => {
          const info = redisCli(['-p', String(node.port), 'info', 'replication']);
          return info.includes('role:master') || info.includes('master_link_status:up');
        }),
      30_000,
    );

    const nodeAt = (address: string) => {
      const node = nodes.find((candidate) => candidate.address === address);
      if (node === undefined) throw new Error(`no cluster node ${address}`);
      return node;
    };
    const liveView = () => {
      for (const node of nodes) {
        const view = node.process === undefined ? undefined : clusterView(node.port);
        if (view !== undefined) return view;
      }
      throw new Error('no cluster node answers');
    };

    return {
      seeds: nodes.map((node) => node.address),
      nodes,
      masters: () => mastersIn(liveView().nodes),
      masterOf(key) {
        const live = nodes.find((node) => node.process !== undefined) as (typeof nodes)[number];
        const slot = Number(redisCli(['-p', String(live.port), 'cluster', 'keyslot', key]).trim());
        return masterServing(liveView().nodes, slot);
      },
      async crashMaster(address, timeoutMs = 30_000) {
        const node = nodeAt(address);
        const child = node.process;
        if (child === undefined) throw new Error(`${address} is not running`);
        const exited = new Promise((resolve) => child.once('exit', resolve));
        const killedAt = Date.now();
        child.kill('SIGKILL');
        await exited;
        node.process = undefined;
        await until(
          `a replica to take over from ${address}`,
          () => {
            const view = liveView();
            const masters = mastersIn(view.nodes);
            return view.ok && masters.length === masterCount && !masters.includes(address) && whole();
          },
          timeoutMs,
        );
        return { failoverMs: Date.now() - killedAt };
      },
      async restart(address, timeoutMs = 30_000) {
        const node = nodeAt(address);
        if (node.process !== undefined) throw new Error(`${address} is running`);
        await launch(node);
        await until(
          `${address} to rejoin`,
          () => liveView().nodes.includes(`${address}@`) && whole(),
          timeoutMs,
        );
        await until(
          `${address} to be known as up`,
          () =>
            !/fail/.test(
              liveView()
                .nodes.split('\n')
                .find((line) => line.includes(`${address}@`)) ?? 'fail',
            ),
          timeoutMs,
        );
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
