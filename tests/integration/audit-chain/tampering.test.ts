/**
 * Tampering directly in the database, on both engines: each change is found
 * by verifyStoredChain, which names its kind and place.
 */
import { ChainWriter, chainHash, verifyStoredChain } from '../../../core/src/audit-chain';
import type { SqlStore } from '../../../core/src/store';
import {
  CHAIN_TEST_TABLE,
  type TestEntry,
  createAuditSigner,
  migrateChainTest,
} from '../../fixtures/audit-chain/chain-test-table';
import { STORE_ENGINES, storeEngine } from '../../helpers/store-engines';

const audit = createAuditSigner();
const START = new Date('2025-09-01T00:00:00Z');

describe.each(STORE_ENGINES)('tampering on %s', (engineName) => {
  const engine = storeEngine(engineName);
  let store: SqlStore;
  /** seq of each writer's records, by chain_seq - 1. */
  let seqs: Record<'a' | 'b', number[]>;

  beforeAll(async () => {
    store = await engine.openIsolated();
    await migrateChainTest(store);
  });

  afterAll(() => engine.cleanup());

  // Two writers of 10 records each, each checkpointed at 5 and at 10.
  beforeEach(async () => {
    await store.exec('TRUNCATE chain_test, chain_test_checkpoints');
    let tick = 0;
    const clock = () => new Date(START.getTime() + (tick += 1000));
    const writers = (['a', 'b'] as const).map(
      (name) =>
        new ChainWriter<TestEntry>({
          store,
          table: CHAIN_TEST_TABLE,
          writer: name,
          signer: audit.signer,
          clock,
        }),
    );
    seqs = { a: [], b: [] };
    for (const half of [0, 1]) {
      for (let i = 0; i < 5; i += 1) {
        for (const [index, writer] of writers.entries()) {
          const row = await writer.append({
            event: 'delivered',
            messageId: `m-${half * 5 + i}`,
            happenedAt: clock(),
            detail: { n: i, text: 'Улаанбаатар' },
          });
          seqs[index === 0 ? 'a' : 'b'].push(row.seq);
        }
      }
      await Promise.all(writers.map((w) => w.checkpoint()));
    }
  });

  const verify = (options: { from?: Date; to?: Date; resolveSigner?: typeof audit.resolveSigner } = {}) =>
    verifyStoredChain(store, CHAIN_TEST_TABLE, {
      resolveSigner: audit.resolveSigner,
      pageSize: 3,
      ...options,
    });
  const seqOf = (writer: 'a' | 'b', chainSeq: number) => seqs[writer][chainSeq - 1];
  const checkpointId = async (writer: string, chainSeq: number) =>
    (
      await store.query<{ id: number }>(
        'SELECT id FROM chain_test_checkpoints WHERE writer = $1 AND chain_seq = $2',
        [writer, chainSeq],
      )
    )[0]?.id;

  test('an untouched log verifies, with its counts', async () => {
    expect(await verify()).toEqual({ ok: true, records: 20, chains: 2, checkpoints: 4 });
  });

  test('a time range verifies on its own', async () => {
    const report = await verify({
      from: new Date(START.getTime() + 10_000),
      to: new Date(START.getTime() + 40_000),
    });
    expect(report).toMatchObject({ ok: true });
    expect(report.ok && report.records).toBeGreaterThan(0);
    expect(report.ok && report.records).toBeLessThan(20);
  });

  test('a changed field', async () => {
    await store.query(`UPDATE chain_test SET message_id = 'm-forged' WHERE seq = $1`, [seqOf('b', 3)]);
    expect(await verify()).toMatchObject({
      ok: false,
      problem: { kind: 'hash-mismatch', writer: 'b', chainSeq: 3, seq: seqOf('b', 3) },
    });
  });

  test('a changed jsonb field', async () => {
    await store.query(`UPDATE chain_test SET detail = '{"n": 99}' WHERE seq = $1`, [seqOf('a', 7)]);
    expect(await verify()).toMatchObject({
      ok: false,
      problem: { kind: 'hash-mismatch', seq: seqOf('a', 7) },
    });
  });

  test('a deleted record', async () => {
    await store.query('DELETE FROM chain_test WHERE seq = $1', [seqOf('a', 4)]);
    expect(await verify()).toMatchObject({
      ok: false,
      problem: { kind: 'gap', writer: 'a', chainSeq: 4, seq: seqOf('a', 5) },
    });
  });

  test('records deleted from the end of a chain', async () => {
    await store.query(`DELETE FROM chain_test WHERE writer = 'b' AND chain_seq >= 9`);
    expect(await verify()).toMatchObject({
      ok: false,
      problem: { kind: 'checkpoint-mismatch', writer: 'b', checkpointId: await checkpointId('b', 10) },
    });
  });

  test('two records reordered (their contents swapped)', async () => {
    const [x, y] = [seqOf('a', 2), seqOf('a', 3)];
    await store.query(
      `UPDATE chain_test t SET message_id = o.message_id, happened_at = o.happened_at, detail = o.detail
       FROM chain_test o WHERE (t.seq, o.seq) IN (($1, $2), ($2, $1))`,
      [x, y],
    );
    expect(await verify()).toMatchObject({
      ok: false,
      problem: { kind: 'hash-mismatch', seq: x, chainSeq: 2 },
    });
  });

  test('a chain rewritten with every hash recomputed', async () => {
    const rows = await store.query(`SELECT * FROM chain_test WHERE writer = 'a' ORDER BY chain_seq`);
    let prevHash: string | null = null;
    for (const row of rows) {
      if (row.chain_seq === 6) row.event = 'rejected';
      const link = { writer: 'a', chainSeq: Number(row.chain_seq), at: row.at as Date, prevHash };
      const hash = chainHash(link, CHAIN_TEST_TABLE.content(row));
      await store.query('UPDATE chain_test SET event = $1, prev_hash = $2, hash = $3 WHERE seq = $4', [
        row.event,
        prevHash,
        hash,
        row.seq,
      ]);
      prevHash = hash;
    }
    expect(await verify()).toMatchObject({
      ok: false,
      problem: { kind: 'checkpoint-mismatch', writer: 'a', checkpointId: await checkpointId('a', 10) },
    });
  });

  test.each([
    ['its head', `head_hash = (SELECT hash FROM chain_test WHERE writer = 'b' AND chain_seq = 4)`],
    ['its count', 'record_count = record_count + 1'],
    ['its signature', `signature = reverse(signature)`],
  ])('a forged checkpoint: %s', async (_what, change) => {
    const id = await checkpointId('b', 5);
    await store.query(`UPDATE chain_test_checkpoints SET ${change} WHERE id = $1`, [id]);
    expect(await verify()).toMatchObject({
      ok: false,
      problem: { kind: 'bad-checkpoint', writer: 'b', checkpointId: id },
    });
  });

  test('a checkpoint by a signer the verifier does not know', async () => {
    expect(await verify({ resolveSigner: () => undefined })).toMatchObject({
      ok: false,
      problem: { kind: 'unknown-signer', writer: 'a', checkpointId: await checkpointId('a', 5) },
    });
  });
});
