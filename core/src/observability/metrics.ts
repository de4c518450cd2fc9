import { collectDefaultMetrics, Registry } from 'prom-client';

/** Options of {@link createMetricsRegistry}. */
export interface MetricsRegistryOptions {
  /**
   * Prefix of the default Node.js metrics (`ortoo_process_cpu_seconds_total`).
   * Metrics registered by hand are named in full by whoever registers them.
   * @defaultValue 'ortoo_'
   */
  prefix?: string;
  /**
   * Labels added to every metric of the registry, e.g. `{ instance: 'gw-1' }`.
   * @defaultValue none
   */
  defaultLabels?: Record<string, string>;
  /**
   * Collect the default Node.js metrics (CPU, memory, event loop lag, GC).
   * @defaultValue true
   */
  collectDefault?: boolean;
}

/** Default of {@link MetricsRegistryOptions.prefix}. */
export const DEFAULT_METRICS_PREFIX = 'ortoo_';

/**
 * A new prom-client registry, never the global one, so that several servers
 * (or tests) in one process keep their metrics apart. Register metrics on it
 * with `registers: [registry]`; serve `await registry.metrics()` with
 * `registry.contentType` on `/metrics`.
 */
export function createMetricsRegistry(options: MetricsRegistryOptions = {}): Registry {
  const registry = new Registry();
  if (options.defaultLabels !== undefined) registry.setDefaultLabels(options.defaultLabels);
  if (options.collectDefault ?? true) {
    collectDefaultMetrics({ register: registry, prefix: options.prefix ?? DEFAULT_METRICS_PREFIX });
  }
  return registry;
}
