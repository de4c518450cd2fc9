import { Gauge, type Registry } from 'prom-client';
import type { DeliveryQueues, QueueDepth } from '../delivery/delivery-queues';
import { CachedValue, DEFAULT_CACHE_TTL_MS, DEFAULT_COLLECT_TIMEOUT_MS } from './cached-value';
import type { CollectionErrors } from './collection-errors';

/** Options of {@link QueueMetrics}. */
export interface QueueMetricsOptions {
  readonly registry: Registry;
  readonly queues: Pick<DeliveryQueues, 'depths'>;
  readonly errors: CollectionErrors;
  /**
   * How long depths read from Redis are served to scrapes.
   * @defaultValue {@link DEFAULT_CACHE_TTL_MS}
   */
  readonly cacheMs?: number;
  /**
   * Longest the read may take before the scrape goes on without these metrics.
   * @defaultValue {@link DEFAULT_COLLECT_TIMEOUT_MS}
   */
  readonly timeoutMs?: number;
}

/** The job states counted by `ortoo_gateway_queue_jobs`; failed jobs are the dead letters. */
const STATES = ['waiting', 'active', 'delayed'] as const satisfies readonly (keyof QueueDepth)[];

/**
 * The delivery queues as a scrape finds them, read from Redis at most once a
 * second: jobs waiting, being delivered and waiting for a retry, and dead
 * letters, per security server's queue. The queues are shared, so every
 * gateway process reports the same numbers: aggregate them with `max`, not
 * `sum`. The `provider` label is the server whose queue it is: a provider
 * for deliveries, a consumer's server for the callbacks it is owed.
 */
export class QueueMetrics {
  readonly jobs: Gauge<'provider' | 'state'>;
  readonly deadLetters: Gauge<'provider'>;

  constructor(options: QueueMetricsOptions) {
    const { registry, queues, errors } = options;
    const depths = new CachedValue({
      load: () => queues.depths(),
      what: 'queue depths',
      ttlMs: options.cacheMs ?? DEFAULT_CACHE_TTL_MS,
      timeoutMs: options.timeoutMs ?? DEFAULT_COLLECT_TIMEOUT_MS,
    });
    /** The depths, or undefined (and counted) when Redis could not tell. */
    const read = () => errors.read('queues', depths.get());
    const jobs: Gauge<'provider' | 'state'> = new Gauge({
      name: 'ortoo_gateway_queue_jobs',
      help: 'Jobs in the delivery queue of each security server, by state (waiting, active, delayed)',
      labelNames: ['provider', 'state'],
      registers: [registry],
      async collect() {
        const found = await read();
        jobs.reset();
        for (const [provider, depth] of Object.entries(found ?? {})) {
          for (const state of STATES) jobs.set({ provider, state }, depth[state]);
        }
      },
    });
    const deadLetters: Gauge<'provider'> = new Gauge({
      name: 'ortoo_gateway_dead_letters',
      help: 'Dead letters (messages given up on, until replayed) in the queue of each security server',
      labelNames: ['provider'],
      registers: [registry],
      async collect() {
        const found = await read();
        deadLetters.reset();
        for (const [provider, depth] of Object.entries(found ?? {})) {
          deadLetters.set({ provider }, depth.failed);
        }
      },
    });
    this.jobs = jobs;
    this.deadLetters = deadLetters;
  }
}
