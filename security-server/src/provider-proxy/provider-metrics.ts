import { Counter, Histogram, type Registry } from 'prom-client';

/** Buckets of backend calls: milliseconds to a minute. */
const BACKEND_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** The metric of `registry` named `name`, registered by `make` unless another app on it already did. */
function shared<M>(registry: Registry, name: string, make: () => M): M {
  return (registry.getSingleMetric(name) as M | undefined) ?? make();
}

/** The provider proxy's metrics, on the security server's registry. */
export class ProviderMetrics {
  /**
   * Deliveries by outcome: `answered` (the backend was called), `redelivered`
   * (answered from the message log), or the error type of a refusal or failure.
   */
  readonly deliveries: Counter<'outcome'>;
  /** Backend round trips by service, failed ones included. */
  readonly backendSeconds: Histogram<'service'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.deliveries = shared(
      registry,
      'ortoo_ss_deliveries_total',
      () =>
        new Counter({
          name: 'ortoo_ss_deliveries_total',
          help: 'Deliveries to the provider proxy by outcome (answered, redelivered or the error type)',
          labelNames: ['outcome'],
          registers,
        }),
    );
    this.backendSeconds = shared(
      registry,
      'ortoo_ss_backend_duration_seconds',
      () =>
        new Histogram({
          name: 'ortoo_ss_backend_duration_seconds',
          help: 'Duration of backend calls by service',
          labelNames: ['service'],
          buckets: BACKEND_BUCKETS,
          registers,
        }),
    );
  }
}
