import { Counter, Histogram, type Registry } from 'prom-client';

/** The steps of the pipeline, in order: the `step` label of the exchange metrics. */
export const PIPELINE_STEPS = [
  'transport',
  'parse',
  'envelope',
  'caller',
  'signature',
  'freshness',
  'replay',
  'service',
  'access',
  'schema',
  'audit',
  'queue',
] as const;

/** One step of the pipeline. */
export type PipelineStep = (typeof PIPELINE_STEPS)[number];

/** Buckets of the step timers: tens of microseconds (a lookup) to a second (a stalled store). */
const STEP_BUCKETS = [
  0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1,
];
/** Buckets of whole exchanges and deliveries: milliseconds to a minute. */
const EXCHANGE_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** The router's metrics, registered on the gateway's registry. */
export class ExchangeMetrics {
  /** Messages by client, service and outcome (accepted, rejected, delivered, dead_lettered, timed_out). */
  readonly exchanges: Counter<'client' | 'service' | 'outcome'>;
  /** Refusals by pipeline step and error type. */
  readonly rejections: Counter<'step' | 'type'>;
  /** Time spent in each pipeline step. */
  readonly stepSeconds: Histogram<'step'>;
  /** Delivery attempts by provider server and outcome (delivered, retrying, dead_lettered). */
  readonly deliveries: Counter<'provider' | 'outcome'>;
  /** From acceptance to the start of each delivery attempt. */
  readonly queueWaitSeconds: Histogram<'provider'>;
  /** One delivery attempt: the provider's round trip and the answer's checks. */
  readonly providerSeconds: Histogram<'provider'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.exchanges = new Counter({
      name: 'ortoo_gateway_exchanges_total',
      help: 'Messages through the gateway by client, service and outcome',
      labelNames: ['client', 'service', 'outcome'],
      registers,
    });
    this.rejections = new Counter({
      name: 'ortoo_gateway_rejections_total',
      help: 'Messages refused by the pipeline, by step and error type',
      labelNames: ['step', 'type'],
      registers,
    });
    this.stepSeconds = new Histogram({
      name: 'ortoo_gateway_step_duration_seconds',
      help: 'Time spent in each step of the gateway pipeline',
      labelNames: ['step'],
      buckets: STEP_BUCKETS,
      registers,
    });
    this.deliveries = new Counter({
      name: 'ortoo_gateway_deliveries_total',
      help: 'Delivery attempts by provider security server and outcome',
      labelNames: ['provider', 'outcome'],
      registers,
    });
    this.queueWaitSeconds = new Histogram({
      name: 'ortoo_gateway_queue_wait_seconds',
      help: 'Time from acceptance to the start of a delivery attempt',
      labelNames: ['provider'],
      buckets: EXCHANGE_BUCKETS,
      registers,
    });
    this.providerSeconds = new Histogram({
      name: 'ortoo_gateway_provider_duration_seconds',
      help: "Duration of a delivery attempt: the provider's round trip and the answer's checks",
      labelNames: ['provider'],
      buckets: EXCHANGE_BUCKETS,
      registers,
    });
  }
}
