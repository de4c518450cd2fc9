/**
 * ChainWriter on both engines: group commit, caller transactions, checkpoints,
 * and failures that leave the chain as it was.
 */
import { ChainWriter, verifyStoredChain } from '../../../core/src/audit-chain';
import { isOrtooError } from '../../../core/src/errors';
import type { SqlStore } from '../../../core/src/store';
import {
  CHAIN_TEST_TABLE,
  type TestEntry,
  createAuditSigner,
  migrateChainTest,
} from '../../fixtures/audit-chain/chain-test-table';
import { STORE_ENGINES, storeEngine } from '../../helpers/store-engines';

const audit = createAuditSigner();
let writerCount = 0;

function entry(i: number): TestEntry {
  return {
    event: 'accepted',
    messageId: `msg-${i}`,
    happenedAt: new Date(1_757_000_000_000 + i),
    detail: { i },
  };
}

describe.each(STORE_ENGINES)('ChainWriter on %s', (engineName) => {
  const engine = storeEngine(engineName);
  let store: SqlStore;

  beforeAll(async () => {
    store = await engine.openIsolated();
    await migrateChainTest(store);
    await store.exec('CREATE TABLE chain_side (id int PRIMARY KEY)');
  });

  afterAll(() => engine.cleanup());

  afterEach(() => jest.restoreAllMocks());

  function newWriter(options: { checkpointIntervalMs?: number } = {}): ChainWriter<TestEntry> {
    writerCount += 1;
    return new ChainWriter({
      store,
      table: CHAIN_TEST_TABLE,
      writer: `test:${engineName}:${writerCount}`,
      signer: audit.signer,
      ...options,
    });
  }

  const verify = () => verifyStoredChain(store, CHAIN_TEST_TABLE, { resolveSigner: audit.resolveSigner });

  test('50 concurrent appends commit in few transactions, each resolved after its commit, as one chain', async () => {
    const writer = newWriter();
    const committed = new Set<number>();
    const original = store.query.bind(store);
    let inserts = 0;
    // A group commit is one INSERT statement: atomic on its own, one transaction.
    jest.spyOn(store, 'query').mockImplementation(async (sql, params) => {
      const isInsert = sql.startsWith('INSERT INTO chain_test ');
      if (isInsert) inserts += 1;
      const result = await original(sql, params);
      if (isInsert) for (const row of result) committed.add(Number(row.chain_seq));
      return result as never;
    });
    const rows = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        writer.append(entry(i)).then((row) => {
          expect(committed.has(row.chainSeq)).toBe(true);
          return row;
        }),
      ),
    );
    expect(inserts).toBeLessThanOrEqual(3);
    jest.restoreAllMocks();
    expect(rows.map((row) => row.chainSeq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(rows[0]?.prevHash).toBeNull();
    rows.slice(1).forEach((row, i) => expect(row.prevHash).toBe(rows[i]?.hash));
    const [stored] = await store.query<{ seq: number; hash: string }>(
      'SELECT seq, hash FROM chain_test WHERE writer = $1 AND chain_seq = 50',
      [rows[0]?.writer],
    );
    expect(stored).toEqual({ seq: rows[49]?.seq, hash: rows[49]?.hash });
    expect(await verify()).toMatchObject({ ok: true });
  });

  test('a record the database refuses fails alone: the rest of its batch is written, in order', async () => {
    const writer = newWriter();
    await writer.append(entry(0));
    // Strings PostgreSQL will not store (\u0000 in text, a lone surrogate in jsonb), and a NOT NULL column left null.
    const refused: TestEntry[] = [
      { event: 'accepted', messageId: 'nul\u0000here' },
      { event: 'accepted', detail: { text: 'lone \ud800 surrogate' } },
      { event: null as unknown as string },
    ];
    const results = await Promise.allSettled([
      ...Array.from({ length: 4 }, (_, i) => writer.append(entry(i + 1))),
      writer.append(refused[0] as TestEntry),
      ...Array.from({ length: 3 }, (_, i) => writer.append(entry(i + 5))),
      writer.append(refused[1] as TestEntry),
      writer.append(refused[2] as TestEntry),
      writer.append(entry(8)),
    ]);
    const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [i] : []));
    expect(failed).toEqual([4, 8, 9]);
    for (const i of failed) {
      const result = results[i] as PromiseRejectedResult;
      expect(
        isOrtooError(result.reason, 'AuditUnavailable') || isOrtooError(result.reason, 'BadRequest'),
      ).toBe(true);
    }
    const rows = await store.query<{ message_id: string; chain_seq: number }>(
      'SELECT message_id, chain_seq FROM chain_test WHERE writer = $1 ORDER BY chain_seq',
      [`test:${engineName}:${writerCount}`],
    );
    expect(rows.map((row) => row.message_id)).toEqual(Array.from({ length: 9 }, (_, i) => `msg-${i}`));
    expect(rows.map((row) => Number(row.chain_seq))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const next = await writer.append(entry(99));
    expect(next.chainSeq).toBe(10);
    expect(await verify()).toMatchObject({ ok: true });
  });

  test('a failing store rejects every caller of the batch with AuditUnavailable and leaves the head', async () => {
    const writer = newWriter();
    await writer.append(entry(0));
    jest.spyOn(store, 'query').mockRejectedValueOnce(new Error('connection lost'));
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, (_, i) => writer.append(entry(i + 1))),
    );
    expect(results.every((r) => r.status === 'rejected' && isOrtooError(r.reason, 'AuditUnavailable'))).toBe(
      true,
    );
    const next = await writer.append(entry(99));
    expect(next.chainSeq).toBe(2);
    expect(await verify()).toMatchObject({ ok: true });
  });

  test('transaction(): appended records commit with the caller’s changes', async () => {
    const writer = newWriter();
    await writer.append(entry(0));
    const result = await writer.transaction(async (tx, append) => {
      await tx.query('INSERT INTO chain_side (id) VALUES (1)');
      await append(entry(1));
      await append(entry(2));
      return 'done';
    });
    expect(result).toBe('done');
    const rows = await store.query('SELECT chain_seq FROM chain_test WHERE writer = $1 ORDER BY chain_seq', [
      `test:${engineName}:${writerCount}`,
    ]);
    expect(rows.map((r) => r.chain_seq)).toEqual([1, 2, 3]);
    expect((await writer.append(entry(3))).chainSeq).toBe(4);
    expect(await verify()).toMatchObject({ ok: true });
  });

  test('transaction(): appended records roll back with the caller’s changes, and the chain goes on', async () => {
    const writer = newWriter();
    const id = `test:${engineName}:${writerCount}`;
    await writer.append(entry(0));
    await expect(
      writer.transaction(async (tx, append) => {
        await tx.query('INSERT INTO chain_side (id) VALUES (2)');
        await append(entry(1));
        throw new Error('change refused');
      }),
    ).rejects.toThrow('change refused');
    expect(await store.query('SELECT id FROM chain_side WHERE id = 2')).toEqual([]);
    expect(await store.query('SELECT chain_seq FROM chain_test WHERE writer = $1', [id])).toHaveLength(1);
    expect((await writer.append(entry(2))).chainSeq).toBe(2);
    expect(await verify()).toMatchObject({ ok: true });
  });

  test('transaction() and group commits never interleave on the chain', async () => {
    const writer = newWriter();
    const appends = Array.from({ length: 20 }, (_, i) => writer.append(entry(i)));
    const transaction = writer.transaction(async (_tx, append) => {
      await append(entry(100));
      await new Promise((resolve) => setTimeout(resolve, 30));
      await append(entry(101));
    });
    const more = Array.from({ length: 20 }, (_, i) => writer.append(entry(200 + i)));
    await Promise.all([...appends, transaction, ...more]);
    const rows = await store.query<{ chain_seq: number }>(
      'SELECT chain_seq FROM chain_test WHERE writer = $1 ORDER BY chain_seq',
      [`test:${engineName}:${writerCount}`],
    );
    expect(rows.map((r) => r.chain_seq)).toEqual(Array.from({ length: 42 }, (_, i) => i + 1));
    expect(await verify()).toMatchObject({ ok: true });
  });

  test('checkpoint() signs the head, and does nothing when the head has not moved', async () => {
    const writer = newWriter();
    expect(await writer.checkpoint()).toBeUndefined();
    await Promise.all([writer.append(entry(0)), writer.append(entry(1))]);
    const first = await writer.checkpoint();
    expect(first).toMatchObject({ chainSeq: 2, count: 2, signer: audit.certificate.thumbprint });
    expect(await writer.checkpoint()).toBeUndefined();
    const row = await writer.append(entry(2));
    expect(await writer.checkpoint()).toMatchObject({ chainSeq: 3, headHash: row.hash });
  });

  test('checkpoints are signed on the interval and on close(); appends after close are refused', async () => {
    const writer = newWriter({ checkpointIntervalMs: 20 });
    const id = `test:${engineName}:${writerCount}`;
    writer.start();
    await writer.append(entry(0));
    await new Promise((resolve) => setTimeout(resolve, 150));
    const timed = await store.query('SELECT chain_seq FROM chain_test_checkpoints WHERE writer = $1', [id]);
    expect(timed).toEqual([{ chain_seq: 1 }]);
    await writer.append(entry(1));
    await writer.close();
    const all = await store.query(
      'SELECT chain_seq FROM chain_test_checkpoints WHERE writer = $1 ORDER BY id',
      [id],
    );
    expect(all).toEqual([{ chain_seq: 1 }, { chain_seq: 2 }]);
    await expect(writer.append(entry(2))).rejects.toMatchObject({ code: 'AuditUnavailable' });
  });

  test('several writers’ chains are verified independently', async () => {
    const writers = [newWriter(), newWriter(), newWriter()];
    await Promise.all(writers.flatMap((w) => Array.from({ length: 10 }, (_, i) => w.append(entry(i)))));
    await Promise.all(writers.map((w) => w.close()));
    const report = await verify();
    expect(report).toMatchObject({ ok: true });
    const [written] = await store.query<{ n: number }>(
      'SELECT count(DISTINCT writer)::int AS n FROM chain_test',
    );
    expect(report.ok && report.chains).toBe(written?.n);
    expect(report.ok && report.checkpoints).toBeGreaterThanOrEqual(3);
  });
});
