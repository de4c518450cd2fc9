import { OrtooError } from '../../../core/src';
import { whenReady, type RedisConnection } from '../redis';

/** Where an accepted message went, kept under its id: for status queries and callbacks. */
export interface MessageRoute {
  /** The provider server whose queue holds it. */
  readonly providerServerId: string;
  /** The member of the client, whose servers alone may ask for its status. */
  readonly clientMemberId: string;
  readonly consumerServerId: string;
  /**
   * The `envelopeHash` of the request: a resend of the same request under
   * its id is a retry, another request under a used id a replay. (Routes
   * remembered before it was kept have none, and are replays.)
   */
  readonly requestHash?: string;
}

/**
 * Remembers every accepted message id in Redis (`SET NX` with a TTL), so a
 * message is accepted once however often it is sent: the replay check of the
 * pipeline. The TTL outlasts the freshness window, beyond which a replay is
 * refused as stale anyway, and the answers' retention, so the id also leads to
 * its queue for status queries.
 */
export class ReplayGuard {
  readonly #redis: RedisConnection;
  readonly #prefix: string;
  readonly #ttlSeconds: number;

  /**
   * @param prefix - the gateway's Redis key prefix (`ortoo`).
   * @param ttlSeconds - how long an id is remembered.
   */
  constructor(redis: RedisConnection, prefix: string, ttlSeconds: number) {
    this.#redis = redis;
    this.#prefix = prefix;
    this.#ttlSeconds = ttlSeconds;
  }

  /**
   * Claims `id` for this message, in one round trip (`SET NX GET`).
   *
   * @returns undefined when the id is new and now claimed; the route it was
   *   claimed with before otherwise (the caller tells a retry from a replay).
   * @throws OrtooError `QueueUnavailable` when Redis cannot be reached.
   */
  async claim(id: string, route: MessageRoute): Promise<MessageRoute | undefined> {
    const earlier = (await this.#call(() =>
      this.#redis.call('SET', this.#key(id), JSON.stringify(route), 'EX', this.#ttlSeconds, 'NX', 'GET'),
    )) as string | null;
    return earlier === null ? undefined : (JSON.parse(earlier) as MessageRoute);
  }

  /** Remembers `id` with another request's route: one taken on anew under an id given up on (see the pipeline). */
  async remember(id: string, route: MessageRoute): Promise<void> {
    await this.#call(() => this.#redis.set(this.#key(id), JSON.stringify(route), 'EX', this.#ttlSeconds));
  }

  /** Gives up a claim, when the gateway failed to take on the message and the sender may try again. */
  async release(id: string): Promise<void> {
    await this.#call(() => this.#redis.del(this.#key(id)));
  }

  /** Where an accepted message went, or undefined when the id is unknown or forgotten. */
  async route(id: string): Promise<MessageRoute | undefined> {
    const value = await this.#call(() => this.#redis.get(this.#key(id)));
    return value === null ? undefined : (JSON.parse(value) as MessageRoute);
  }

  #key(id: string): string {
    return `${this.#prefix}:message:${id}`;
  }

  async #call<T>(command: () => Promise<T>): Promise<T> {
    await whenReady(this.#redis); // a connection being made is waited for; a lost one fails fast
    try {
      return await command();
    } catch (cause) {
      throw new OrtooError('QueueUnavailable', 'Redis is unavailable', { cause });
    }
  }
}
