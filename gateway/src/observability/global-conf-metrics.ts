import { Gauge, type Registry } from 'prom-client';
import type { GlobalConfPublisher, PublishedGlobalConf } from '../global-conf/global-conf-publisher';
import { CachedValue, DEFAULT_CACHE_TTL_MS, DEFAULT_COLLECT_TIMEOUT_MS } from './cached-value';
import type { CollectionErrors } from './collection-errors';

/** Options of {@link GlobalConfMetrics}. */
export interface GlobalConfMetricsOptions {
  readonly registry: Registry;
  readonly publisher: Pick<GlobalConfPublisher, 'current'>;
  readonly errors: CollectionErrors;
  /** @defaultValue {@link DEFAULT_CACHE_TTL_MS} */
  readonly cacheMs?: number;
  /** @defaultValue {@link DEFAULT_COLLECT_TIMEOUT_MS} */
  readonly timeoutMs?: number;
}

/**
 * The signed global configuration a security server fetching now would get:
 * when it was generated and when it expires, as Unix timestamps (its age is
 * `time() - ortoo_global_conf_generated_timestamp_seconds`), and the registry
 * version it was built from. A scrape asks the publisher as a fetch would (so
 * it is rebuilt when due). When that fails (the registry cannot be read, the
 * document cannot be signed) the last document's figures stay: the age grows
 * past the rebuild interval, which is what the alert watches.
 */
export class GlobalConfMetrics {
  readonly generatedAt: Gauge;
  readonly expiresAt: Gauge;
  readonly version: Gauge;

  constructor(options: GlobalConfMetricsOptions) {
    const { registry, publisher, errors } = options;
    const published = new CachedValue({
      load: () => publisher.current(),
      what: 'global configuration',
      ttlMs: options.cacheMs ?? DEFAULT_CACHE_TTL_MS,
      timeoutMs: options.timeoutMs ?? DEFAULT_COLLECT_TIMEOUT_MS,
    });
    let last: PublishedGlobalConf | undefined;
    /** Reads the current document into `last`; a failure is counted and `last` kept. */
    const refresh = async () => {
      last = (await errors.read('global_conf', published.get())) ?? last;
    };
    const registers = [registry];
    this.generatedAt = new Gauge({
      name: 'ortoo_global_conf_generated_timestamp_seconds',
      help: 'When the global configuration served now was generated',
      registers,
      async collect() {
        await refresh();
        if (last !== undefined) this.set(last.generatedAt.getTime() / 1000);
      },
    });
    this.expiresAt = new Gauge({
      name: 'ortoo_global_conf_expiry_timestamp_seconds',
      help: 'When the global configuration served now expires',
      registers,
      async collect() {
        await refresh();
        if (last !== undefined) this.set(last.expiresAt.getTime() / 1000);
      },
    });
    this.version = new Gauge({
      name: 'ortoo_global_conf_registry_version',
      help: 'Registry version the global configuration served now was built from',
      registers,
      async collect() {
        await refresh();
        if (last !== undefined) this.set(last.version);
      },
    });
  }
}
