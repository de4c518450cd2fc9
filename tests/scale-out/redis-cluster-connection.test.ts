/**
 * The gateway's Redis connections on a Redis Cluster (3 masters, a replica
 * each, on this machine): commands reach the master of each key's slot,
 * message ids are claimed once, completions published through one node reach
 * a subscriber on another, and while a master is away a fail-fast command
 * fails fast, then works again once its replica has taken over.
 */
import { randomUUID } from 'node:crypto';
import { CompletionNotifier } from '../../gateway/src/delivery/completion-notifier';
import { ReplayGuard } from '../../gateway/src/exchange/replay-guard';
import {
  closeConnection,
  createRedisConnection,
  whenReady,
  type RedisConnection,
  type RedisTarget,
} from '../../gateway/src/redis';
import { eventually, sleep } from '../helpers/eventually';
import { startRedisCluster, type RedisCluster } from '../helpers/redis-cluster';

describe("the gateway's Redis connections on a Redis Cluster", () => {
  let cluster: RedisCluster;
  let target: RedisTarget;
  let redis: RedisConnection;
  const prefix = `ortoo-test-${randomUUID()}`;

  beforeAll(async () => {
    cluster = await startRedisCluster({ masters: 3, nodeTimeoutMs: 1000 });
    // The URL's host is not used with cluster nodes: only its credentials and TLS would be.
    target = { url: 'redis://unused.invalid:1', clusterNodes: cluster.seeds.slice(0, 1) };
    redis = createRedisConnection(target, { purpose: 'queue', commandTimeoutMs: 1000 });
    await whenReady(redis);
  }, 60_000);

  afterAll(async () => {
    await closeConnection(redis);
    await cluster?.close();
  }, 30_000);

  it('finds every master from one seed node and reaches each key on its own', async () => {
    const keys = Array.from({ length: 30 }, (_, i) => `${prefix}:key:${i}`);
    const masters = new Set(keys.map((key) => cluster.masterOf(key)));
    expect(masters.size).toBe(3);
    for (const key of keys) await redis.set(key, key, 'EX', 60);
    expect(await Promise.all(keys.map((key) => redis.get(key)))).toEqual(keys);
  });

  it('claims a message id once, wherever its slot lives', async () => {
    const guard = new ReplayGuard(redis, prefix, 60);
    const route = {
      providerServerId: 'MN/GOV/1/ss1',
      clientMemberId: 'MN/GOV/2',
      consumerServerId: 'MN/GOV/2/ss1',
    };
    const id = randomUUID();
    expect(await guard.claim(id, route)).toBeUndefined();
    expect(await guard.claim(id, route)).toEqual(route);
    expect(await guard.route(id)).toEqual(route);
  });

  it('tells a waiting request of a completion published by another process', async () => {
    const waiting = await CompletionNotifier.start({ redis: target, queuePrefix: prefix });
    const working = await CompletionNotifier.start({
      redis: { ...target, clusterNodes: cluster.seeds.slice(-1) },
      queuePrefix: prefix,
    });
    try {
      const id = randomUUID();
      const done = waiting.waitFor(id, 10_000);
      await working.notify(id, 'delivered');
      expect(await done).toBe('delivered');
    } finally {
      await Promise.all([waiting.close(), working.close()]);
    }
  });

  it('fails fast while a master is away, and serves its keys again once a replica took over', async () => {
    const key = `${prefix}:failover`;
    await redis.set(key, 'before', 'EX', 60);
    await sleep(500); // replication is asynchronous: the replica gets the write a moment later
    const master = cluster.masterOf(key);
    const crashed = cluster.crashMaster(master);
    // While the cluster has not yet noticed: each attempt ends within its timeout, never hangs.
    const started = Date.now();
    await redis.get(key).catch(() => undefined);
    expect(Date.now() - started).toBeLessThan(5_000);
    const { failoverMs } = await crashed;
    process.stdout.write(`Redis Cluster failover: ${failoverMs} ms\n`);
    // A write the replica had before the crash survives it.
    const value = await eventually('the key served again', () => redis.get(key).catch(() => undefined), {
      timeoutMs: 15_000,
      intervalMs: 200,
    });
    expect(value).toBe('before');
    expect(cluster.masterOf(key)).not.toBe(master);
    await redis.set(key, 'after', 'EX', 60);
    await cluster.restart(master);
    expect(await redis.get(key)).toBe('after');
  }, 60_000);
});
