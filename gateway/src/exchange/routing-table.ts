import { GlobalConfIndex } from '../../../core/src';
import type { GlobalConfPublisher } from '../global-conf/global-conf-publisher';

/** Options of {@link RoutingTable}. */
export interface RoutingTableOptions {
  readonly publisher: GlobalConfPublisher;
  /** How long an index is used before the registry version is checked again. */
  readonly refreshMs: number;
}

/**
 * What the router routes by: the gateway's own global configuration,
 * indexed. The same document the security servers receive, so the gateway and
 * the servers judge a message by the same facts. Between registry version
 * checks (every `refreshMs`, one indexed row) the index is served from
 * memory; a change made through this process's admin API is seen at once
 * (the publisher's change hint), one made through another gateway process
 * within `refreshMs`.
 */
export class RoutingTable {
  readonly #options: RoutingTableOptions;
  #index: GlobalConfIndex | undefined;
  #checkAfter = 0;
  #hint = -1;
  #refreshing: Promise<GlobalConfIndex> | undefined;
  readonly #listeners = new Set<(index: GlobalConfIndex) => void>();

  constructor(options: RoutingTableOptions) {
    this.#options = options;
  }

  /** The current index: from memory, or after a version check when one is due. */
  current(): Promise<GlobalConfIndex> {
    const index = this.#index;
    if (
      index !== undefined &&
      Date.now() < this.#checkAfter &&
      this.#hint === this.#options.publisher.changeHint
    ) {
      return Promise.resolve(index);
    }
    this.#refreshing ??= this.#refresh().finally(() => {
      this.#refreshing = undefined;
    });
    return this.#refreshing;
  }

  /** Calls `listener` with every new index (a new registry version), e.g. to start workers for new servers. */
  onChange(listener: (index: GlobalConfIndex) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async #refresh(): Promise<GlobalConfIndex> {
    const hint = this.#options.publisher.changeHint;
    const published = await this.#options.publisher.current();
    let index = this.#index;
    if (index === undefined || index.version !== published.version) {
      index = GlobalConfIndex.from(published.conf);
      this.#index = index;
      for (const listener of this.#listeners) listener(index);
    }
    this.#hint = hint;
    this.#checkAfter = Date.now() + this.#options.refreshMs;
    return index;
  }
}
