import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import { OrtooError, type Logger } from '../../core/src';

/**
 * Where Redis is, as the configuration gives it: one server at `url`, or a
 * Redis Cluster whose seed nodes are `clusterNodes` (`host:port`; the others
 * are found from them). With a cluster, `url` gives only the credentials and
 * TLS (`rediss://`) of every node; its host and port are not used.
 */
export interface RedisTarget {
  /** `redis://[user:password@]host:port` or `rediss://…`. */
  readonly url: string;
  /** Seed nodes of a Redis Cluster, `host:port`; absent for a single server. */
  readonly clusterNodes?: readonly string[];
}

/** A connection to a single Redis or to a Redis Cluster: both take the same commands. */
export type RedisConnection = Redis | Cluster;

/**
 * What a connection is for; each needs Redis to fail differently.
 *
 * - `queue`: producers (enqueue, status, dead letters). A request is waiting
 *   on it, so a command fails fast when Redis is away instead of hanging.
 * - `command`: any other request-path command (replay ids, publishing
 *   completions); as `queue`.
 * - `blocking`: BullMQ workers. They wait for Redis as long as it takes:
 *   BullMQ requires `maxRetriesPerRequest: null` for its blocking reads.
 * - `subscriber`: pub/sub. Waits for Redis, then resubscribes.
 */
export type RedisPurpose = 'queue' | 'command' | 'blocking' | 'subscriber';

/** Options of {@link createRedisConnection}. */
export interface RedisConnectionOptions {
  readonly purpose: RedisPurpose;
  /** Where connection trouble is reported. @defaultValue none */
  readonly logger?: Logger;
  /**
   * How long a fail-fast command may wait for a reply, and the first
   * connection for its answer.
   * @defaultValue 5000 ms
   */
  readonly commandTimeoutMs?: number;
  /**
   * Send the commands issued in one tick of the event loop in one write (ioredis
   * auto-pipelining): under load, one system call for many requests' commands.
   * Not for connections BullMQ uses. @defaultValue false
   */
  readonly autoPipelining?: boolean;
}

/** @defaultValue {@link RedisConnectionOptions.commandTimeoutMs} */
export const DEFAULT_REDIS_COMMAND_TIMEOUT_MS = 5000;

/** Reconnect delays: quick at first, then every few seconds, for ever. */
function retryStrategy(capMs: number): (times: number) => number {
  return (times) => Math.min(50 * 2 ** Math.min(times, 10), capMs);
}

function optionsFor(purpose: RedisPurpose, commandTimeoutMs: number): RedisOptions {
  const common: RedisOptions = { connectionName: `ortoo:${purpose}`, connectTimeout: commandTimeoutMs };
  switch (purpose) {
    case 'queue':
    case 'command':
      // Commands issued while disconnected fail at once; one sent just
      // before a disconnection is retried once, then fails.
      return {
        ...common,
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        commandTimeout: commandTimeoutMs,
        retryStrategy: retryStrategy(1000),
      };
    case 'blocking':
    case 'subscriber':
      return { ...common, maxRetriesPerRequest: null, retryStrategy: retryStrategy(5000) };
  }
}

/** The credentials and TLS that `url` gives every node of a cluster. */
function nodeOptionsOf(url: string): RedisOptions {
  const parsed = new URL(url);
  return {
    ...(parsed.username !== '' && { username: decodeURIComponent(parsed.username) }),
    ...(parsed.password !== '' && { password: decodeURIComponent(parsed.password) }),
    ...(parsed.protocol === 'rediss:' && { tls: {} }),
  };
}

/** `host:port` as ioredis takes a node; the host may be an IPv6 address in brackets. */
function clusterNodeOf(node: string): { host: string; port: number } {
  const at = node.lastIndexOf(':');
  return { host: node.slice(0, at).replace(/^\[(.*)\]$/, '$1'), port: Number(node.slice(at + 1)) };
}

/**
 * A cluster connection with a purpose's options: they go to each node, but
 * the offline queue, auto-pipelining and reconnection, which the cluster
 * owns. While a master is away (until its replica takes over) a command for
 * its slots is retried every 200 ms, within the command timeout of a
 * fail-fast purpose.
 */
function clusterOf(
  target: RedisTarget & { clusterNodes: readonly string[] },
  redisOptions: RedisOptions,
): Cluster {
  const { retryStrategy: reconnect, enableOfflineQueue, enableAutoPipelining, ...nodeOptions } = redisOptions;
  const options: ClusterOptions = {
    redisOptions: { ...nodeOptions, ...nodeOptionsOf(target.url) },
    ...(enableOfflineQueue !== undefined && { enableOfflineQueue }),
    ...(enableAutoPipelining !== undefined && { enableAutoPipelining }),
    ...(reconnect !== undefined && { clusterRetryStrategy: reconnect }),
    retryDelayOnFailover: 200,
    retryDelayOnClusterDown: 200,
  };
  return new Cluster(target.clusterNodes.map(clusterNodeOf), options);
}

/**
 * Opens a connection to the Redis of `target` (one server, or a Redis
 * Cluster; a URL is one server), tuned for its purpose (see
 * {@link RedisPurpose}). It connects at once and reconnects on its own;
 * errors are logged, never thrown as events.
 */
export function createRedisConnection(url: string, options: RedisConnectionOptions): Redis;
export function createRedisConnection(target: RedisTarget, options: RedisConnectionOptions): RedisConnection;
export function createRedisConnection(
  targetOrUrl: RedisTarget | string,
  options: RedisConnectionOptions,
): RedisConnection {
  const target = typeof targetOrUrl === 'string' ? { url: targetOrUrl } : targetOrUrl;
  const { purpose, logger } = options;
  const redisOptions: RedisOptions = {
    ...optionsFor(purpose, options.commandTimeoutMs ?? DEFAULT_REDIS_COMMAND_TIMEOUT_MS),
    ...(options.autoPipelining === true && { enableAutoPipelining: true }),
  };
  const { clusterNodes } = target;
  const redis =
    clusterNodes !== undefined && clusterNodes.length > 0
      ? clusterOf({ ...target, clusterNodes }, redisOptions)
      : new Redis(target.url, redisOptions);
  // One warning per outage, not one per reconnection attempt.
  let healthy = true;
  redis.on('error', (error: Error) => {
    if (healthy) logger?.warn('Redis connection failed', { purpose, error: error.message });
    healthy = false;
  });
  redis.on('ready', () => {
    if (!healthy) logger?.info('Redis connection restored', { purpose });
    healthy = true;
  });
  return redis;
}

/**
 * Resolves when `redis` can take a fail-fast command: at once when it is
 * connected, or after the connection attempt under way (a process that has
 * just started). Throws `QueueUnavailable` when that attempt fails, and at
 * once when the connection is between reconnection attempts: Redis is away.
 */
export async function whenReady(
  redis: RedisConnection,
  timeoutMs: number = DEFAULT_REDIS_COMMAND_TIMEOUT_MS,
): Promise<void> {
  if (redis.status === 'ready') return;
  if (redis.status === 'wait') {
    redis.connect().catch(() => undefined); // its failure is the 'close' below
  } else if (redis.status !== 'connecting' && redis.status !== 'connect') {
    throw queueUnavailable(`Redis is not connected (${redis.status})`);
  }
  await new Promise<void>((resolve, reject) => {
    const done = (error?: OrtooError) => {
      clearTimeout(timer);
      redis.off('ready', onReady);
      redis.off('close', onClose);
      if (error === undefined) resolve();
      else reject(error);
    };
    const onReady = () => done();
    const onClose = () => done(queueUnavailable('Redis refused the connection'));
    const timer = setTimeout(() => done(queueUnavailable('Redis did not answer in time')), timeoutMs);
    redis.once('ready', onReady);
    redis.once('close', onClose);
  });
}

/** The error a request gets when Redis cannot take its command. */
export function queueUnavailable(reason: string, cause?: unknown): OrtooError {
  return new OrtooError('QueueUnavailable', 'The delivery queue is unavailable', {
    cause: cause ?? new Error(reason), // for the logs: callers learn no more than the type
  });
}

/**
 * Closes a connection politely when it is connected: `QUIT` goes after the
 * commands already sent, so their promises settle with their answers instead
 * of rejecting with "Connection is closed" after their caller has gone.
 * A connection that is not connected is dropped at once.
 */
export async function closeConnection(redis: RedisConnection): Promise<void> {
  if (redis.status === 'ready') {
    await redis.quit().catch(() => redis.disconnect());
  } else {
    redis.disconnect();
  }
}
