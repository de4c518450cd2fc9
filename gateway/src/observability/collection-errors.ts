import { Counter, type Registry } from 'prom-client';

/** What a collector reads on a scrape: the `source` label of {@link CollectionErrors}. */
export type CollectionSource = 'queues' | 'global_conf' | 'issued_certificates';

/**
 * Scrapes that could not read a source (Redis or SQL away or too slow): the
 * metrics of that source are missing from them, and this says why, in the
 * same scrape. Register it after the collectors that use it: its own
 * collection waits for the reads they started.
 */
export class CollectionErrors {
  readonly #counter: Counter<'source'>;
  readonly #reading = new Set<Promise<unknown>>();
  /** Failed reads already counted: the metrics of one source share one read. */
  readonly #counted = new WeakSet<Promise<unknown>>();

  constructor() {
    const reading = this.#reading;
    this.#counter = new Counter({
      name: 'ortoo_gateway_metric_collection_errors_total',
      help: 'Scrapes in which a source of metrics (queues, global configuration, issued certificates) could not be read',
      labelNames: ['source'],
      registers: [],
      async collect() {
        await Promise.allSettled([...reading]);
      },
    });
  }

  /** Adds the counter to `registry`: after every collector that reports to it. */
  register(registry: Registry): void {
    registry.registerMetric(this.#counter);
  }

  /**
   * Waits for a read of `source` for a scrape: its value, or undefined when
   * it failed. A failed read is counted once, however many metrics wait for
   * it (pass them the same promise, as `CachedValue.get` gives).
   */
  async read<T>(source: CollectionSource, value: Promise<T>): Promise<T | undefined> {
    const reading = value.then(
      (read) => read,
      () => {
        if (!this.#counted.has(value)) {
          this.#counted.add(value);
          this.#counter.inc({ source });
        }
        return undefined;
      },
    );
    this.#reading.add(reading);
    try {
      return await reading;
    } finally {
      this.#reading.delete(reading);
    }
  }
}
