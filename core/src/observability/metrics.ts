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

/**
 * Default Node.js metrics that break Prometheus's naming rules (`promtool
 * check metrics`: a gauge must not end in `_total`). Each has a labelled
 * gauge without the suffix beside it (`nodejs_active_handles{type}`), whose
 * sum is the same number.
 */
const MISNAMED_DEFAULTS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
] as const;

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
    const prefix = options.prefix ?? DEFAULT_METRICS_PREFIX;
    collectDefaultMetrics({ register: registry, prefix });
    for (const name of MISNAMED_DEFAULTS) registry.removeSingleMetric(`${prefix}${name}`);
  }
  return registry;
}
