import { GlobalConfIndex, type GlobalConfClient } from '../../core/src';

/**
 * The security server's view of the global configuration: the verified copy
 * its {@link GlobalConfClient} keeps, indexed once per version for the checks
 * every message makes.
 */
export class ConfHolder {
  readonly #client: Pick<GlobalConfClient, 'current'>;
  #index: GlobalConfIndex | undefined;

  constructor(client: Pick<GlobalConfClient, 'current'>) {
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
}
