/**
 * The outcome outbox: delivery outcomes the audit log cannot take (its
 * database is away) wait in Redis and are written, marked late, once it
 * can; real Redis, the gateway's real audit trail on each SQL engine.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { searchAuditRecords, toAuditRecord } from '../../../gateway/src/audit/audit-repository';
import { OutcomeOutbox } from '../../../gateway/src/delivery/outcome-outbox';
import { closeConnection, createRedisConnection } from '../../../gateway/src/redis';
import { TEST_REDIS_URL, removeRedisKeys } from '../../helpers/exchange-network';
import { startGateway, type GatewayHarness } from '../../helpers/gateway-harness';
import { STORE_ENGINES } from '../../helpers/store-engines';

describe.each(STORE_ENGINES)('the outcome outbox on %s', (engine) => {
  let gateway: GatewayHarness;
  let redis: Redis;
  let outbox: OutcomeOutbox;
  const queuePrefix = `ortoo-test-outbox-${randomUUID()}`;
  const depths: number[] = [];

  beforeAll(async () => {
    gateway = await startGateway(engine);
    redis = createRedisConnection(TEST_REDIS_URL, { purpose: 'queue' });
    outbox = new OutcomeOutbox({
      redis,
      queuePrefix,
      audit: gateway.deps.audit,
      logger: gateway.deps.logger,
      onDepth: (depth) => depths.push(depth),
    });
  });
  afterAll(async () => {
    await outbox.close();
    await closeConnection(redis);
    await removeRedisKeys(queuePrefix);
    await gateway.close();
  });

  const delivered = (messageId: string) => ({
    event: 'delivered',
    outcome: 'ok' as const,
    messageId,
    detail: { attempt: 1 },
  });
  const eventsOf = async (messageId: string) =>
    (await searchAuditRecords(gateway.store, { messageId }, { limit: 10 })).map(toAuditRecord);

  it('records at once while the audit log takes records', async () => {
    const id = randomUUID();
    expect(await outbox.record(delivered(id))).toBe(true);
    const [record] = await eventsOf(id);
    expect(record).toMatchObject({ event: 'delivered', detail: { attempt: 1 } });
    expect(record?.detail).not.toHaveProperty('recordedLate');
  });

  it('keeps what the audit log cannot take, and writes it, marked late, once it can', async () => {
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    await gateway.store.exec('ALTER TABLE audit_log RENAME TO audit_log_away');
    try {
      for (const id of ids) expect(await outbox.record(delivered(id))).toBe(true);
      // Still away: nothing written, nothing lost.
      expect(await outbox.drain()).toBe(0);
      expect(depths.at(-1)).toBe(3);
    } finally {
      await gateway.store.exec('ALTER TABLE audit_log_away RENAME TO audit_log');
    }
    expect(await outbox.drain()).toBe(3);
    expect(depths.at(-1)).toBe(0);
    for (const id of ids) {
      const records = await eventsOf(id);
      expect(records).toHaveLength(1);
      expect(records[0]).toMatchObject({
        event: 'delivered',
        detail: { attempt: 1, recordedLate: true, occurredAt: expect.any(String) },
      });
    }
    // Written once: the outbox is empty now.
    expect(await outbox.drain()).toBe(0);
  });
});
