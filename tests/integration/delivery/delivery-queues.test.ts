import { isOrtooError, OrtooError } from '../../../core/src';
import type { DeliveryJobData } from '../../../gateway/src/delivery/delivery-job';
import { DeliveryQueues } from '../../../gateway/src/delivery/delivery-queues';
import { createRedisConnection } from '../../../gateway/src/redis';
import {
  FAST_RETRIES,
  PROVIDER_A,
  PROVIDER_B,
  answerTo,
  deadPort,
  deliveryData,
  eventually,
  gate,
  silentLogger,
  startDelivery,
  type DeliveryKit,
} from './delivery-kit';

describe('DeliveryQueues', () => {
  let kit: DeliveryKit;

  beforeEach(async () => {
    kit = await startDelivery();
  });
  afterEach(() => kit.close());

  it('queues a message id once: a second enqueue does nothing, and it is delivered once', async () => {
    const data = deliveryData();
    const { id } = data.message.envelope;
    await kit.queues.enqueue(data, FAST_RETRIES);
    await kit.queues.enqueue(data, FAST_RETRIES);

    const delivered: string[] = [];
    const done = kit.notifier.waitFor(id, 5000);
    await kit
      .workers(async ({ data: job }) => {
        delivered.push(id);
        return answerTo((job as DeliveryJobData).message);
      })
      .ensure([PROVIDER_A]);
    await expect(done).resolves.toBe('delivered');

    // Delivered, the id stays taken for as long as the answer is kept.
    await kit.queues.enqueue(data, FAST_RETRIES);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(delivered).toEqual([id]);
    await expect(kit.queues.status(PROVIDER_A, id)).resolves.toMatchObject({
      state: 'delivered',
      attempts: 1,
    });
  });

  it('gives the status through every state: queued, delivering, retrying, delivered', async () => {
    const data = deliveryData();
    const { id } = data.message.envelope;
    await expect(kit.queues.status(PROVIDER_A, id)).resolves.toBeUndefined();
    await kit.queues.enqueue(data, { maxAttempts: 3, backoffMs: 400 });
    await expect(kit.queues.status(PROVIDER_A, id)).resolves.toEqual({ id, state: 'queued', attempts: 0 });

    const held = gate();
    let calls = 0;
    await kit
      .workers(async ({ attempt }) => {
        calls += 1;
        if (attempt === 1) throw new OrtooError('ProviderUnavailable', 'Connection refused');
        await held.promise;
        return answerTo(data.message);
      })
      .ensure([PROVIDER_A]);

    const retrying = await eventually('retrying', async () => {
      const status = await kit.queues.status(PROVIDER_A, id);
      return status?.state === 'retrying' ? status : undefined;
    });
    expect(retrying).toEqual({
      id,
      state: 'retrying',
      attempts: 1,
      reason: { type: 'Server.ServerProxy.ProviderUnavailable', message: 'Connection refused' },
    });

    const delivering = await eventually('delivering', async () => {
      const status = await kit.queues.status(PROVIDER_A, id);
      return status?.state === 'delivering' ? status : undefined;
    });
    expect(delivering).toEqual({ id, state: 'delivering', attempts: 1 });

    const done = kit.notifier.waitFor(id, 5000);
    held.open();
    await expect(done).resolves.toBe('delivered');
    await expect(kit.queues.status(PROVIDER_A, id)).resolves.toEqual({
      id,
      state: 'delivered',
      attempts: 2,
      answer: answerTo(data.message),
    });
    expect(calls).toBe(2);
  });

  it('gives the status of a dead letter with its reason', async () => {
    const data = deliveryData();
    const { id } = data.message.envelope;
    const done = kit.notifier.waitFor(id, 5000);
    await kit.queues.enqueue(data, FAST_RETRIES);
    await kit
      .workers(async () => {
        throw new OrtooError('InvalidAnswer', 'The answer is not signed by the provider');
      })
      .ensure([PROVIDER_A]);
    await expect(done).resolves.toBe('dead-lettered');
    await expect(kit.queues.status(PROVIDER_A, id)).resolves.toEqual({
      id,
      state: 'dead-lettered',
      attempts: 1,
      reason: {
        type: 'Server.ServerProxy.InvalidAnswer',
        message: 'The answer is not signed by the provider',
      },
    });
  });

  it('counts the jobs of each server by state', async () => {
    await kit.queues.enqueue(deliveryData(PROVIDER_A), FAST_RETRIES);
    await kit.queues.enqueue(deliveryData(PROVIDER_A), FAST_RETRIES);
    await kit.queues.enqueue(deliveryData(PROVIDER_B), FAST_RETRIES);
    await expect(kit.queues.depths()).resolves.toEqual({
      [PROVIDER_B]: { waiting: 1, active: 0, delayed: 0, failed: 0 },
      [PROVIDER_A]: { waiting: 2, active: 0, delayed: 0, failed: 0 },
    });
  });
});

describe('DeliveryQueues without Redis', () => {
  it('refuses an enqueue with QueueUnavailable at once, without hanging', async () => {
    const connection = createRedisConnection(`redis://127.0.0.1:${await deadPort()}`, {
      purpose: 'queue',
      logger: silentLogger(),
    });
    const queues = new DeliveryQueues({
      connection,
      queuePrefix: 'ortoo-test-down',
      answerRetentionSeconds: 60,
    });
    try {
      for (let i = 0; i < 3; i++) {
        const started = Date.now();
        const error: unknown = await queues.enqueue(deliveryData(), FAST_RETRIES).catch((thrown) => thrown);
        expect(isOrtooError(error, 'QueueUnavailable')).toBe(true);
        expect((error as OrtooError).status).toBe(503);
        expect(Date.now() - started).toBeLessThan(1000);
      }
      await expect(queues.status(PROVIDER_A, 'any')).rejects.toMatchObject({ code: 'QueueUnavailable' });
    } finally {
      await queues.close();
      connection.disconnect();
    }
  });
});
