import { GlobalConfIndex, isOrtooError, type GlobalConfClient } from '../../core/src';

/** Shortest time between two refreshes a message forces (see {@link ConfHolder.retryFresh}). */
const FORCED_REFRESH_INTERVAL_MS = 2000;

/**
 * The security server's view of the global configuration: the verified copy
 * its {@link GlobalConfClient} keeps, indexed once per version for the checks
 * every message makes.
 */
export class ConfHolder {
  readonly #client: Pick<GlobalConfClient, 'current' | 'refresh'>;
  #index: GlobalConfIndex | undefined;
  #lastForced = 0;

  constructor(client: Pick<GlobalConfClient, 'current' | 'refresh'>) {
    this.#client = client;
  }

  /**
   * The current configuration, indexed.
   *
   * @throws OrtooError `ConfigurationExpired` when there is no valid copy.
   */
  index(): GlobalConfIndex {
    const conf = this.#client.current();
    if (this.#index?.conf !== conf) this.#index = GlobalConfIndex.from(conf);
    return this.#index;
  }

  /**
   * Runs `check` against the current configuration; when it refuses the
   * message as the caller's fault, fetches the configuration at once and, if
   * that brought a newer one, runs it again. A server registered (or a
   * certificate issued) since the last periodic fetch is then known at its
   * first message rather than a minute later. Forced fetches are at most one
   * per {@link FORCED_REFRESH_INTERVAL_MS}, so refused messages cannot make
   * the server hammer the gateway.
   */
  async retryFresh<T>(check: (index: GlobalConfIndex) => T): Promise<T> {
    const before = this.index();
    try {
      return check(before);
    } catch (error) {
      if (!isOrtooError(error) || error.status >= 500) throw error;
      const now = Date.now();
      if (now - this.#lastForced < FORCED_REFRESH_INTERVAL_MS) throw error;
      this.#lastForced = now;
      if ((await this.#client.refresh()) !== 'updated' || this.index() === before) throw error;
      return check(this.index());
    }
  }
}
