import { isOrtooError } from '../../../core/src';
import { loadGatewayConfig } from '../../../gateway/src/config';

/** The gateway's configuration from `env` alone. */
function configOf(env: NodeJS.ProcessEnv) {
  return loadGatewayConfig({ env });
}

describe("the gateway's Redis configuration", () => {
  it('is one server at REDIS_URL unless cluster nodes are given', () => {
    expect(configOf({}).redis).toEqual({ url: 'redis://127.0.0.1:6379' });
    expect(configOf({ REDIS_URL: 'rediss://ortoo:secret@redis.internal:6380' }).redis).toEqual({
      url: 'rediss://ortoo:secret@redis.internal:6380',
    });
  });

  it('is a Redis Cluster seeded by REDIS_CLUSTER_NODES, host:port separated by commas', () => {
    const { redis } = configOf({
      REDIS_URL: 'redis://:secret@ignored:1',
      REDIS_CLUSTER_NODES: '10.0.0.1:7000, redis-b.internal:7001,[::1]:7002',
    });
    expect(redis).toEqual({
      url: 'redis://:secret@ignored:1',
      clusterNodes: ['10.0.0.1:7000', 'redis-b.internal:7001', '[::1]:7002'],
    });
  });

  it.each(['10.0.0.1', 'redis://10.0.0.1:7000', '10.0.0.1:7000;10.0.0.2:7000', ':7000'])(
    'refuses the cluster node list %j, naming the variable',
    (nodes) => {
      let thrown: unknown;
      try {
        configOf({ REDIS_CLUSTER_NODES: nodes });
      } catch (error) {
        thrown = error;
      }
      expect(isOrtooError(thrown) && thrown.code).toBe('InvalidConfiguration');
      expect((thrown as Error).message).toContain('REDIS_CLUSTER_NODES');
    },
  );
});
