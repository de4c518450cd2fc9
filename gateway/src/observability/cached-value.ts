import { withTimeout } from '../../../core/src';

/** Options of {@link CachedValue}. */
export interface CachedValueOptions<T> {
  /** Reads the value afresh. */
  readonly load: () => Promise<T>;
  /** What is read, for the timeout's message, e.g. `queue depths`. */
  readonly what: string;
  /**
   * How long a value read is served before it is read again.
   * @defaultValue 1000 ms
   */
  readonly ttlMs?: number;
  /**
   * Longest a read may take; a slower one counts as failed.
   * @defaultValue 2000 ms
   */
  readonly timeoutMs?: number;
  /**
   * Milliseconds of a monotonic clock.
   * @defaultValue `performance.now`
   */
  readonly now?: () => number;
}

/** Default of {@link CachedValueOptions.ttlMs}. */
export const DEFAULT_CACHE_TTL_MS = 1000;
/** Default of {@link CachedValueOptions.timeoutMs}. */
export const DEFAULT_COLLECT_TIMEOUT_MS = 2000;

/**
 * A value that is costly to read (Redis round trips, SQL), read at most once
 * per `ttlMs` however often it is asked for: what keeps a metric's `collect()`
 * cheap when several scrapers, or several metrics, ask at once. Concurrent
 * reads share one load; a failed load is not kept, so the next ask tries again.
 */
export class CachedValue<T> {
  readonly #options: CachedValueOptions<T>;
  readonly #now: () => number;
  #value: { readonly value: T; readonly at: number } | undefined;
  #loading: Promise<T> | undefined;

  constructor(options: CachedValueOptions<T>) {
    this.#options = options;
    this.#now = options.now ?? (() => performance.now());
  }

  /** The value: the one held while it is younger than `ttlMs`, else read now. */
  get(): Promise<T> {
    const held = this.#value;
    if (held !== undefined && this.#now() - held.at < (this.#options.ttlMs ?? DEFAULT_CACHE_TTL_MS)) {
      return Promise.resolve(held.value);
    }
    this.#loading ??= this.#load().finally(() => {
      this.#loading = undefined;
    });
    return this.#loading;
  }

  async #load(): Promise<T> {
    const { load, what, timeoutMs } = this.#options;
    const value = await withTimeout(load(), timeoutMs ?? DEFAULT_COLLECT_TIMEOUT_MS, what);
    this.#value = { value, at: this.#now() };
    return value;
  }
}
