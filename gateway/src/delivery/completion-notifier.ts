import type { Logger } from '../../../core/src';
import {
  closeConnection,
  createRedisConnection,
  whenReady,
  type RedisConnection,
  type RedisTarget,
} from '../redis';

/** How a delivery ended, as far as a waiting request is concerned. */
export type Completion = 'delivered' | 'dead-lettered';

/** Options of {@link CompletionNotifier.start}. */
export interface CompletionNotifierOptions {
  /** Redis: one server or a cluster. */
  readonly redis: RedisTarget;
  /** The gateway's key prefix: the channel is `<queuePrefix>:completions`. */
  readonly queuePrefix: string;
  /** @defaultValue none */
  readonly logger?: Logger;
}

/** What travels on the channel. */
interface CompletionMessage {
  id: string;
  state: Completion;
}

/**
 * Tells requests waiting for a delivery (sync exchanges) that it ended, in
 * whichever gateway process they wait: workers {@link notify} on one Redis
 * pub/sub channel, and every process listens on it through one subscriber
 * connection and wakes its own waiters. Nothing is polled.
 *
 * Pub/sub keeps no history: a completion published before {@link waitFor}
 * was called is not seen by it. So a caller calls `waitFor` *before* it
 * enqueues (keeping the promise), and awaits the promise after:
 *
 * ```ts
 * const done = notifier.waitFor(id, timeoutMs);   // registered now, synchronously
 * await queues.enqueue(data, policy);
 * const outcome = await done;
 * ```
 */
export class CompletionNotifier {
  /** The waits of each message id; each one is ended by calling it. */
  private readonly waiters = new Map<string, Set<(outcome: Completion | 'timeout') => void>>();
  private closed = false;

  private constructor(
    private readonly subscriber: RedisConnection,
    private readonly publisher: RedisConnection,
    private readonly channel: string,
    private readonly logger: Logger | undefined,
  ) {
    subscriber.on('message', (channel: string, text: string) => {
      if (channel === this.channel) this.received(text);
    });
  }

  /** Connects and subscribes; resolves once completions are being received. */
  static async start(options: CompletionNotifierOptions): Promise<CompletionNotifier> {
    const { redis, logger } = options;
    const subscriber = createRedisConnection(redis, { purpose: 'subscriber', ...(logger && { logger }) });
    const publisher = createRedisConnection(redis, {
      purpose: 'command',
      autoPipelining: true,
      ...(logger && { logger }),
    });
    const notifier = new CompletionNotifier(
      subscriber,
      publisher,
      `${options.queuePrefix}:completions`,
      logger,
    );
    try {
      await subscriber.subscribe(notifier.channel);
    } catch (error) {
      await notifier.close();
      throw error;
    }
    return notifier;
  }

  /**
   * Waits for the delivery of message `id` to end, at most `timeoutMs`.
   * Registers at once (see the class's note on ordering); never rejects.
   */
  waitFor(id: string, timeoutMs: number): Promise<Completion | 'timeout'> {
    if (this.closed) return Promise.resolve('timeout');
    return new Promise((resolve) => {
      let waiters = this.waiters.get(id);
      if (waiters === undefined) this.waiters.set(id, (waiters = new Set()));
      const registered = waiters;
      const settle = (outcome: Completion | 'timeout') => {
        clearTimeout(timer);
        registered.delete(settle);
        if (registered.size === 0 && this.waiters.get(id) === registered) this.waiters.delete(id);
        resolve(outcome);
      };
      const timer = setTimeout(() => settle('timeout'), timeoutMs);
      registered.add(settle);
    });
  }

  /**
   * Tells every process that the delivery of message `id` ended. Best
   * effort: a failure is logged, and the waiter ends at its timeout.
   */
  async notify(id: string, state: Completion): Promise<void> {
    const message: CompletionMessage = { id, state };
    try {
      await whenReady(this.publisher);
      await this.publisher.publish(this.channel, JSON.stringify(message));
    } catch (error) {
      this.logger?.warn('Could not publish a completion', { messageId: id, state, error: String(error) });
    }
  }

  /** Ends every wait as `timeout` and disconnects. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const waiters of [...this.waiters.values()]) for (const settle of [...waiters]) settle('timeout');
    await Promise.all([closeConnection(this.subscriber), closeConnection(this.publisher)]);
  }

  private received(text: string): void {
    let message: Partial<CompletionMessage>;
    try {
      message = JSON.parse(text) as Partial<CompletionMessage>;
    } catch {
      return;
    }
    if (typeof message.id !== 'string') return;
    if (message.state !== 'delivered' && message.state !== 'dead-lettered') return;
    const waiters = this.waiters.get(message.id);
    if (waiters === undefined) return;
    for (const settle of [...waiters]) settle(message.state);
  }
}
