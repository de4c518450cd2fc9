import { randomBytes } from 'node:crypto';
import { CompletionNotifier } from '../../../gateway/src/delivery/completion-notifier';
import { REDIS_URL, messageId, silentLogger } from './delivery-kit';

/**
 * Two notifiers on one prefix stand for two gateway processes: the one a
 * sync request waits in, and the worker process that announces the end.
 * Pub/sub channels hold no keys, so there is nothing to remove afterwards.
 */
describe('CompletionNotifier', () => {
  let waiting: CompletionNotifier;
  let working: CompletionNotifier;

  beforeEach(async () => {
    const queuePrefix = `ortoo-test-${randomBytes(6).toString('hex')}`;
    const logger = silentLogger();
    waiting = await CompletionNotifier.start({ redis: { url: REDIS_URL }, queuePrefix, logger });
    working = await CompletionNotifier.start({ redis: { url: REDIS_URL }, queuePrefix, logger });
  });
  afterEach(async () => {
    await waiting.close();
    await working.close();
  });

  it('wakes a waiter in another process when the message is delivered', async () => {
    const id = messageId();
    const done = waiting.waitFor(id, 5000);
    await working.notify(id, 'delivered');
    await expect(done).resolves.toBe('delivered');
  });

  it('wakes every waiter of a message when it is dead-lettered, and no waiter of another', async () => {
    const id = messageId();
    const other = messageId();
    const first = waiting.waitFor(id, 5000);
    const second = working.waitFor(id, 5000);
    const unrelated = waiting.waitFor(other, 200);
    await working.notify(id, 'dead-lettered');
    await expect(Promise.all([first, second, unrelated])).resolves.toEqual([
      'dead-lettered',
      'dead-lettered',
      'timeout',
    ]);
  });

  it('ends a wait at its timeout', async () => {
    const started = Date.now();
    await expect(waiting.waitFor(messageId(), 100)).resolves.toBe('timeout');
    expect(Date.now() - started).toBeGreaterThanOrEqual(95);
  });

  it('keeps no history: a completion announced before the wait began is not seen, so register first', async () => {
    const id = messageId();
    await working.notify(id, 'delivered');
    await new Promise((resolve) => setTimeout(resolve, 50)); // the message has gone by
    await expect(waiting.waitFor(id, 150)).resolves.toBe('timeout');
  });

  it('registers a wait synchronously: a completion right after waitFor is seen', async () => {
    const id = messageId();
    const done = waiting.waitFor(id, 5000); // before anything is awaited
    const [outcome] = await Promise.all([done, working.notify(id, 'delivered')]);
    expect(outcome).toBe('delivered');
  });

  it('ends the waits in progress as timeouts when it closes', async () => {
    const done = waiting.waitFor(messageId(), 5000);
    await waiting.close();
    await expect(done).resolves.toBe('timeout');
    await expect(waiting.waitFor(messageId(), 5000)).resolves.toBe('timeout');
  });
});
