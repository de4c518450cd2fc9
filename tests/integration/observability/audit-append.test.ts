/**
 * `ortoo_audit_append_duration_seconds`: the chain writer's `onAppend`
 * reports every append once it settles, committed or failed, and the
 * gateway's histogram counts them.
 */
import { Registry } from 'prom-client';
import { ChainWriter, PgliteStore, type SqlStore } from '../../../core/src';
import { AuditMetrics } from '../../../gateway/src/observability';
import {
  CHAIN_TEST_TABLE,
  createAuditSigner,
  migrateChainTest,
  type TestEntry,
} from '../../fixtures/audit-chain/chain-test-table';
import { samplesOf } from './observability-support';

function entry(i: number): TestEntry {
  return {
    event: 'accepted',
    messageId: `msg-${i}`,
    happenedAt: new Date(1_757_000_000_000 + i),
    detail: { i },
  };
}

describe('the audit append latency', () => {
  let store: SqlStore;
  let registry: Registry;
  let writer: ChainWriter<TestEntry>;

  beforeAll(async () => {
    store = await PgliteStore.open();
    await migrateChainTest(store);
    registry = new Registry();
    const metrics = new AuditMetrics(registry);
    writer = new ChainWriter({
      store,
      table: CHAIN_TEST_TABLE,
      writer: 'test:observability',
      signer: createAuditSigner().signer,
      onAppend: metrics.observeAppend,
    });
  });
  afterAll(async () => {
    await writer?.close();
    await store?.close();
  });
  afterEach(() => jest.restoreAllMocks());

  const countOf = async (outcome: string) =>
    samplesOf(await registry.metrics(), 'ortoo_audit_append_duration_seconds_count', { outcome })[0]?.value ??
    0;

  it('is observed for each committed append, however they were grouped', async () => {
    await Promise.all(Array.from({ length: 20 }, (_, i) => writer.append(entry(i))));
    expect(await countOf('committed')).toBe(20);
    const [sum] = samplesOf(await registry.metrics(), 'ortoo_audit_append_duration_seconds_sum', {
      outcome: 'committed',
    });
    expect(sum?.value).toBeGreaterThan(0);
    expect(sum?.value).toBeLessThan(20 * 5);
  });

  it('is observed as failed when the store refuses the batch', async () => {
    const original = store.query.bind(store);
    jest
      .spyOn(store, 'query')
      .mockImplementation((sql, params) =>
        sql.trimStart().startsWith('INSERT') ? Promise.reject(new Error('disk full')) : original(sql, params),
      );
    await expect(writer.append(entry(100))).rejects.toMatchObject({ code: 'AuditUnavailable' });
    expect(await countOf('failed')).toBe(1);
  });

  it('is not required: a writer without an observer appends as before', async () => {
    const plain = new ChainWriter({
      store,
      table: CHAIN_TEST_TABLE,
      writer: 'test:observability:plain',
      signer: createAuditSigner().signer,
    });
    await plain.append(entry(200));
    await plain.close();
    expect(await countOf('committed')).toBe(20);
  });
});
