import { OrtooError } from '../../../core/src';
import type { CallbackJobData, DeliveryJobData } from '../../../gateway/src/delivery/delivery-job';
import {
  CONSUMER_SERVER,
  FAST_RETRIES,
  PROVIDER_A,
  PROVIDER_B,
  answerTo,
  deliveryData,
  eventually,
  gate,
  recordingHooks,
  sleep,
  startDelivery,
  type DeliveryKit,
} from './delivery-kit';

describe('DeliveryWorkers', () => {
  let kit: DeliveryKit;

  beforeEach(async () => {
    kit = await startDelivery({ callbackPolicy: { maxAttempts: 2, backoffMs: 5 } });
  });
  afterEach(() => kit.close());

  it('retries a transient failure with backoff, then delivers, telling the hooks each attempt', async () => {
    const data = deliveryData();
    const { id } = data.message.envelope;
    const hooks = recordingHooks();
    const attemptsAt: number[] = [];
    await kit
      .workers(async ({ attempt }) => {
        attemptsAt.push(Date.now());
        if (attempt === 1) throw new OrtooError('ProviderTimeout', 'No answer in 5000 ms');
        if (attempt === 2) throw new OrtooError('BackendUnavailable', 'The backend is down');
        return answerTo(data.message);
      }, hooks)
      .ensure([PROVIDER_A]);

    const done = kit.notifier.waitFor(id, 5000);
    await kit.queues.enqueue(data, { maxAttempts: 4, backoffMs: 40 });
    await expect(done).resolves.toBe('delivered');

    expect(hooks.calls).toEqual([
      `failed ${id} #1 ProviderTimeout`,
      `failed ${id} #2 BackendUnavailable`,
      `delivered ${id} #3`,
    ]);
    // Exponential with up to half taken off at random: at least 20 ms, then at least 40 ms.
    const [first = 0, second = 0, third = 0] = attemptsAt;
    expect(second - first).toBeGreaterThanOrEqual(20);
    expect(third - second).toBeGreaterThanOrEqual(40);
    await expect(kit.queues.status(PROVIDER_A, id)).resolves.toMatchObject({
      state: 'delivered',
      attempts: 3,
    });
  });

  it('dead-letters a permanent failure at once, with its reason', async () => {
    const data = deliveryData();
    const { id } = data.message.envelope;
    const hooks = recordingHooks();
    let calls = 0;
    await kit
      .workers(async () => {
        calls += 1;
        throw new OrtooError('AccessDenied', 'The provider refused the client');
      }, hooks)
      .ensure([PROVIDER_A]);

    const done = kit.notifier.waitFor(id, 5000);
    await kit.queues.enqueue(data, { maxAttempts: 5, backoffMs: 5 });
    await expect(done).resolves.toBe('dead-lettered');

    expect(calls).toBe(1);
    expect(hooks.calls).toEqual([`failed ${id} #1 AccessDenied final`]);
    await expect(kit.queues.deadLetter(PROVIDER_A, id)).resolves.toEqual({
      id,
      kind: 'deliver',
      serverId: PROVIDER_A,
      client: data.message.envelope.client,
      service: data.message.envelope.service,
      failedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as unknown,
      attempts: 1,
      reason: { type: 'Client.AccessDenied', message: 'The provider refused the client' },
    });
  });

  it('dead-letters a message whose retries are exhausted', async () => {
    const data = deliveryData();
    const { id } = data.message.envelope;
    const hooks = recordingHooks();
    await kit
      .workers(async () => {
        throw new OrtooError('ProviderUnavailable', 'Connection refused');
      }, hooks)
      .ensure([PROVIDER_A]);

    const done = kit.notifier.waitFor(id, 5000);
    await kit.queues.enqueue(data, FAST_RETRIES);
    await expect(done).resolves.toBe('dead-lettered');

    expect(hooks.calls).toEqual([
      `failed ${id} #1 ProviderUnavailable`,
      `failed ${id} #2 ProviderUnavailable`,
      `failed ${id} #3 ProviderUnavailable final`,
    ]);
    await expect(kit.queues.deadLetter(PROVIDER_A, id)).resolves.toMatchObject({
      attempts: 3,
      reason: { type: 'Server.ServerProxy.ProviderUnavailable', message: 'Connection refused' },
    });
  });

  it('takes anything else thrown for an internal error, not retried', async () => {
    const data = deliveryData();
    const { id } = data.message.envelope;
    await kit
      .workers(async () => {
        throw new TypeError('a bug');
      })
      .ensure([PROVIDER_A]);
    const done = kit.notifier.waitFor(id, 5000);
    await kit.queues.enqueue(data, FAST_RETRIES);
    await expect(done).resolves.toBe('dead-lettered');
    await expect(kit.queues.status(PROVIDER_A, id)).resolves.toMatchObject({
      attempts: 1,
      reason: { type: 'Server.ClientProxy.InternalError', message: 'Internal error' },
    });
  });

  it('delivers a replayed dead letter, its attempts counted afresh', async () => {
    const data = deliveryData();
    const { id } = data.message.envelope;
    let fixed = false;
    await kit
      .workers(async ({ attempt }) => {
        if (!fixed) throw new OrtooError('BackendUnavailable', `Down, attempt ${attempt}`);
        return answerTo(data.message);
      })
      .ensure([PROVIDER_A]);

    const dead = kit.notifier.waitFor(id, 5000);
    await kit.queues.enqueue(data, FAST_RETRIES);
    await expect(dead).resolves.toBe('dead-lettered');
    await expect(kit.queues.replay(PROVIDER_A, 'no-such-message')).resolves.toBe(false);

    fixed = true;
    const delivered = kit.notifier.waitFor(id, 5000);
    await expect(kit.queues.replay(PROVIDER_A, id)).resolves.toBe(true);
    await expect(delivered).resolves.toBe('delivered');
    await expect(kit.queues.status(PROVIDER_A, id)).resolves.toMatchObject({
      state: 'delivered',
      attempts: 1,
    });
    await expect(kit.queues.deadLetter(PROVIDER_A, id)).resolves.toBeUndefined();
    await expect(kit.queues.replay(PROVIDER_A, id)).resolves.toBe(false);
  });

  it('keeps a slow provider from delaying another provider', async () => {
    const slow = gate();
    const slowData = deliveryData(PROVIDER_A);
    const fastData = deliveryData(PROVIDER_B);
    await kit
      .workers(async ({ data }) => {
        const { message, providerServerId } = data as DeliveryJobData;
        if (providerServerId === PROVIDER_A) await slow.promise;
        return answerTo(message);
      })
      .ensure([PROVIDER_A, PROVIDER_B]);

    // Enough slow jobs to fill A's worker, and more waiting behind them.
    const slowIds = [slowData, ...[1, 2, 3, 4, 5].map(() => deliveryData(PROVIDER_A))];
    for (const data of slowIds) await kit.queues.enqueue(data, FAST_RETRIES);
    await eventually('4 active', async () =>
      (await kit.queues.depths())[PROVIDER_A]?.active === 4 ? true : undefined,
    );

    const started = Date.now();
    const fast = kit.notifier.waitFor(fastData.message.envelope.id, 5000);
    await kit.queues.enqueue(fastData, FAST_RETRIES);
    await expect(fast).resolves.toBe('delivered');
    expect(Date.now() - started).toBeLessThan(1000);
    await expect(kit.queues.status(PROVIDER_A, slowData.message.envelope.id)).resolves.toMatchObject({
      state: 'delivering',
    });

    const slowDone = kit.notifier.waitFor(slowData.message.envelope.id, 5000);
    slow.open();
    await expect(slowDone).resolves.toBe('delivered');
  });

  it('closes gracefully: the job in progress finishes, and is delivered', async () => {
    const data = deliveryData();
    const { id } = data.message.envelope;
    const held = gate();
    let running = false;
    const workers = kit.workers(async () => {
      running = true;
      await held.promise;
      return answerTo(data.message);
    });
    await workers.ensure([PROVIDER_A]);
    await kit.queues.enqueue(data, FAST_RETRIES);
    await eventually('running', async () => (running ? true : undefined));

    let closed = false;
    const closing = workers.close().then(() => (closed = true));
    await sleep(50);
    expect(closed).toBe(false);
    held.open();
    await closing;
    await expect(kit.queues.status(PROVIDER_A, id)).resolves.toMatchObject({
      state: 'delivered',
      attempts: 1,
    });
  });

  it('starts workers for new servers and stops those no longer listed', async () => {
    const seen: string[] = [];
    const workers = kit.workers(async ({ data }) => {
      const { message, providerServerId } = data as DeliveryJobData;
      seen.push(providerServerId);
      return answerTo(message);
    });
    await workers.ensure([PROVIDER_A]);
    await workers.ensure([PROVIDER_B]);
    expect(workers.serverIds).toEqual([PROVIDER_B]);

    const toA = deliveryData(PROVIDER_A);
    const toB = deliveryData(PROVIDER_B);
    const doneB = kit.notifier.waitFor(toB.message.envelope.id, 5000);
    await kit.queues.enqueue(toA, FAST_RETRIES);
    await kit.queues.enqueue(toB, FAST_RETRIES);
    await expect(doneB).resolves.toBe('delivered');
    await expect(kit.queues.status(PROVIDER_A, toA.message.envelope.id)).resolves.toMatchObject({
      state: 'queued',
    });
    expect(seen).toEqual([PROVIDER_B]);
  });

  it("runs callbacks on the consumer server's queue, without completions or hooks", async () => {
    const data = deliveryData();
    const { id } = data.message.envelope;
    const answer = answerTo(data.message);
    const hooks = recordingHooks();
    const callbacks: string[] = [];
    await kit
      .workers(async ({ name, data: job, attempt }) => {
        const { messageId } = job as CallbackJobData;
        callbacks.push(`${name} ${messageId} #${attempt}`);
        if (attempt === 1) throw new OrtooError('ProviderUnavailable', 'Connection refused');
      }, hooks)
      .ensure([CONSUMER_SERVER]);

    const notified = kit.notifier.waitFor(id, 300);
    await kit.queues.enqueueCallback({ messageId: id, consumerServerId: CONSUMER_SERVER, answer });
    await kit.queues.enqueueCallback({ messageId: id, consumerServerId: CONSUMER_SERVER, answer });
    await eventually('2 callbacks', async () => (callbacks.length === 2 ? true : undefined));
    await expect(notified).resolves.toBe('timeout');
    expect(callbacks).toEqual([`callback ${id} #1`, `callback ${id} #2`]);
    expect(hooks.calls).toEqual([]);
  });
});
