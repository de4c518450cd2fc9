import { Histogram, type Registry } from 'prom-client';

/** What the client proxy counts. */
export interface ClientProxyMetrics {
  /** Time to answer a local system, by route kind and outcome (HTTP status, X-Road error type or `ok`). */
  readonly requestSeconds: Histogram<'route' | 'outcome'>;
}

const REQUEST_SECONDS = 'ortoo_ss_client_proxy_request_seconds';

/**
 * The client proxy's metrics on `registry`; registered once per registry, so
 * two apps over one registry share them.
 */
export function clientProxyMetrics(registry: Registry): ClientProxyMetrics {
  const existing = registry.getSingleMetric(REQUEST_SECONDS) as Histogram<'route' | 'outcome'> | undefined;
  return {
    requestSeconds:
      existing ??
      new Histogram({
        name: REQUEST_SECONDS,
        help: 'Time the client proxy took to answer a local system, by route and outcome',
        labelNames: ['route', 'outcome'],
        buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
        registers: [registry],
      }),
  };
}
