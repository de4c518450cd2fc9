import type { SqlExecutor } from '../../../core/src';
import type { GlobalConfPublisher } from '../global-conf/global-conf-publisher';
import { whenReady, type RedisConnection } from '../redis';
import type { OwnCertificate } from './own-certificates';
import type { ReadinessCheck } from '../../../core/src';

/** What the gateway's readiness depends on. */
export interface GatewayReadinessParts {
  /** A fail-fast connection (`queue` or `command`): a PING fails at once when Redis is away. */
  readonly redis: RedisConnection;
  readonly store: SqlExecutor;
  readonly globalConf: Pick<GlobalConfPublisher, 'current'>;
  /** The gateway's own certificates ({@link ownCertificatesOf}). */
  readonly certificates: readonly OwnCertificate[];
  readonly clock: () => Date;
}

/**
 * The gateway's readiness checks, by name:
 * - `redis`: PING on the queues' connection (delivery queues, replay ids);
 * - `database`: `SELECT 1` (registry and audit log);
 * - `global_conf`: the signed global configuration can be built (registry
 *   read, document signed) and what would be served has not expired;
 * - `certificates`: the gateway's own certificates are valid now.
 */
export function gatewayReadinessChecks(parts: GatewayReadinessParts): ReadinessCheck[] {
  const { redis, store, globalConf, certificates, clock } = parts;
  return [
    {
      name: 'redis',
      async run() {
        await whenReady(redis);
        await redis.ping();
      },
    },
    {
      name: 'database',
      async run() {
        await store.query('SELECT 1');
      },
    },
    {
      name: 'global_conf',
      async run() {
        const published = await globalConf.current();
        if (published.expiresAt.getTime() <= clock().getTime()) {
          throw new Error(`global configuration expired at ${published.expiresAt.toISOString()}`);
        }
      },
    },
    {
      name: 'certificates',
      async run() {
        const now = clock();
        const invalid = certificates.filter(({ certificate }) => !certificate.isValidAt(now));
        if (invalid.length > 0) {
          const described = invalid.map(
            ({ name, certificate }) =>
              `${name} (valid ${certificate.notBefore.toISOString()} to ${certificate.notAfter.toISOString()})`,
          );
          throw new Error(`not valid now: ${described.join(', ')}`);
        }
      },
    },
  ];
}
