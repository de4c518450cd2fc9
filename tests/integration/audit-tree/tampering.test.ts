/**
 * An insider with write access to the gateway's database but no signing key,
 * editing it with SQL (and recomputing every hash the open code computes), on
 * PostgreSQL and PGlite: each case the hash chains alone missed is found by
 * the tree's verification, given the database and one honest witness's
 * checkpoint, with its kind and place.
 */
import { chainHash } from '../../../core/src';
import { AuditTrail } from '../../../gateway/src/audit/audit-trail';
import { AUDIT_TABLE } from '../../../gateway/src/audit/audit-table';
import { verifyWholeAuditLog } from '../../../gateway/src/audit/audit-verification';
import { startGateway, type GatewayHarness } from '../../helpers/gateway-harness';
import { STORE_ENGINES } from '../../helpers/store-engines';

const AUDIT_TABLES =
  'audit_log, audit_log_checkpoints, audit_log_tree, audit_log_tree_heads, audit_log_cosignatures';

describe.each(STORE_ENGINES)('tampering with the audit tree on %s', (engine) => {
  let gateway: GatewayHarness;
  let witness: string;
  /** Tree sizes of the signed heads, in order. */
  let heads: number[];

  beforeAll(async () => {
    gateway = await startGateway(engine);
    await gateway.deps.audit.close(); // this test's own writers are the only ones
  });
  afterAll(() => gateway.close());

  const trust = () => gateway.deps.trust;
  const logKey = () => ({ name: trust().auditLogSigner.name, publicKey: trust().auditLogSigner.publicKey });
  const writer = (name: string) =>
    new AuditTrail({
      store: gateway.store,
      signer: trust().auditSigner,
      logSigner: trust().auditLogSigner,
      subjectSecret: trust().auditSubjectSecret,
      writer: name,
    });
  const entry = (i: number) => ({
    event: 'delivered',
    outcome: 'ok' as const,
    messageId: `m-${i}`,
    detail: { i },
  });

  // Two gateway processes; heads signed after 14 and 22 leaves; gw-a closes (a last head at 23).
  beforeEach(async () => {
    await gateway.store.exec(`TRUNCATE ${AUDIT_TABLES}; UPDATE audit_log_sequencer SET size = 0, legacy = 0`);
    const a = writer('gw-a');
    const b = writer('gw-b');
    for (let i = 0; i < 6; i += 1) {
      await a.record(entry(i));
      await b.record(entry(100 + i));
    }
    await a.checkpoint();
    for (let i = 6; i < 10; i += 1) await Promise.all([a.record(entry(i)), b.record(entry(100 + i))]);
    await b.checkpoint();
    await a.close();
    witness = (await a.tree.latest())?.note as string;
    heads = (
      await gateway.store.query<{ size: number }>('SELECT size FROM audit_log_tree_heads ORDER BY size')
    ).map((row) => Number(row.size));
  });

  const verify = (withWitness = true) =>
    verifyWholeAuditLog(gateway.store, {
      signers: [trust().auditCertificate],
      logKey: logKey(),
      witnessCheckpoints: withWitness ? [{ witness: 'MN/GOV/1/ss1', note: witness }] : [],
      pageSize: 7,
    });
  const sql = (text: string, params: unknown[] = []) => gateway.store.query(text, params);
  const leafOf = async (writerId: string, chainSeq: number) =>
    Number(
      (
        await sql('SELECT leaf_index FROM audit_log WHERE writer = $1 AND chain_seq = $2', [
          writerId,
          chainSeq,
        ])
      )[0]?.leaf_index,
    );

  /** What an insider runs after an edit: every hash of the writer's chain recomputed from `fromChainSeq` on. */
  async function rehash(writerId: string, fromChainSeq = 1): Promise<void> {
    const rows = await sql('SELECT * FROM audit_log WHERE writer = $1 ORDER BY chain_seq', [writerId]);
    let prev: string | null = null;
    for (const row of rows) {
      const chainSeq = Number(row.chain_seq);
      if (chainSeq >= fromChainSeq) {
        const hash = chainHash(
          { writer: writerId, chainSeq, at: row.at as Date, prevHash: prev },
          AUDIT_TABLE.content(row),
        );
        await sql('UPDATE audit_log SET prev_hash = $1, hash = $2 WHERE seq = $3', [prev, hash, row.seq]);
        prev = hash;
      } else {
        prev = row.hash as string;
      }
    }
  }

  /** Inserts a correctly hashed record at the end of the tree, as an insider would. */
  async function appendForged(
    writerId: string,
    chainSeq: number,
    prevHash: string | null,
    event = 'delivered',
  ) {
    const [{ size } = { size: 0 }] = await sql(
      'UPDATE audit_log_sequencer SET size = size + 1 RETURNING size - 1 AS size',
    );
    const at = new Date();
    const columns = AUDIT_TABLE.columns({ event, outcome: 'ok', detail: { forged: true } });
    const hash = chainHash({ writer: writerId, chainSeq, at, prevHash }, AUDIT_TABLE.content(columns));
    await sql(
      `INSERT INTO audit_log (writer, chain_seq, at, prev_hash, hash, event, outcome, detail, leaf_index)
       VALUES ($1, $2, $3, $4, $5, $6, 'ok', '{"forged":true}', $7)`,
      [writerId, chainSeq, at, prevHash, hash, event, size],
    );
    return hash;
  }

  test('an untouched log verifies against its heads and the witness', async () => {
    expect(heads).toEqual([14, 22, 23]);
    expect(await verify()).toEqual({
      ok: true,
      records: 23,
      chains: 2,
      checkpoints: 3,
      leaves: 23,
      treeHeads: 3,
      witnessed: 1,
    });
  });

  test('truncation with its heads left in place: truncated, from the first leaf removed', async () => {
    await sql('DELETE FROM audit_log WHERE leaf_index >= 20');
    await sql('DELETE FROM audit_log_checkpoints');
    expect(await verify(false)).toMatchObject({
      ok: false,
      problem: { kind: 'truncated', size: 22, leafIndex: 20 },
    });
  });

  test('truncation with the heads after it deleted: the witness still holds size 23', async () => {
    await sql('DELETE FROM audit_log WHERE leaf_index >= 20');
    await sql('DELETE FROM audit_log_tree_heads WHERE size > 20');
    await sql('DELETE FROM audit_log_checkpoints');
    expect(await verify(false)).toMatchObject({ ok: true, leaves: 20 });
    expect(await verify()).toMatchObject({
      ok: false,
      problem: { kind: 'truncated', size: 23, leafIndex: 20 },
    });
  });

  test('truncation back to an earlier head, later heads and checkpoints deleted', async () => {
    await sql('DELETE FROM audit_log WHERE leaf_index >= 14');
    await sql('DELETE FROM audit_log_tree_heads WHERE size > 14');
    await sql(
      'DELETE FROM audit_log_checkpoints WHERE id NOT IN (SELECT min(id) FROM audit_log_checkpoints)',
    );
    expect(await verify()).toMatchObject({
      ok: false,
      problem: { kind: 'truncated', size: 23, leafIndex: 14 },
    });
  });

  test('a record changed, its chain rehashed, later heads deleted: rewritten, between the last good head and the witness', async () => {
    const leaf = await leafOf('gw-b', 9);
    await sql("UPDATE audit_log SET client = 'MN/GOV/66666666/evil' WHERE writer = 'gw-b' AND chain_seq = 9");
    await rehash('gw-b', 9);
    await sql('DELETE FROM audit_log_checkpoints');
    await sql('DELETE FROM audit_log_tree_heads WHERE size > $1', [leaf]);
    expect(await verify()).toMatchObject({
      ok: false,
      problem: { kind: 'rewritten', size: 23, between: [14, 23] },
    });
  });

  test('a record deleted, the leaves renumbered and the chain rehashed: the witness saw more leaves', async () => {
    await sql("DELETE FROM audit_log WHERE writer = 'gw-a' AND chain_seq = 3");
    await sql("UPDATE audit_log SET chain_seq = chain_seq - 1 WHERE writer = 'gw-a' AND chain_seq > 3");
    await sql(
      `UPDATE audit_log SET leaf_index = n.i FROM (SELECT seq, row_number() OVER (ORDER BY leaf_index) - 1 AS i FROM audit_log) n
       WHERE n.seq = audit_log.seq`,
    );
    await rehash('gw-a', 3);
    await sql('DELETE FROM audit_log_checkpoints');
    await sql('DELETE FROM audit_log_tree_heads');
    expect(await verify()).toMatchObject({
      ok: false,
      problem: { kind: 'truncated', size: 23, leafIndex: 22 },
    });
  });

  test('every checkpoint and head deleted, the whole chain rehashed: rewritten', async () => {
    await sql("UPDATE audit_log SET message_id = 'm-evil' WHERE writer = 'gw-b' AND chain_seq = 2");
    await rehash('gw-b');
    await sql('DELETE FROM audit_log_checkpoints');
    await sql('DELETE FROM audit_log_tree_heads');
    expect(await verify(false)).toMatchObject({ ok: true });
    expect(await verify()).toMatchObject({ ok: false, problem: { kind: 'rewritten', size: 23 } });
  });

  test("a whole writer's records and checkpoints deleted: a gap in the tree, at the writer's first leaf", async () => {
    const first = await leafOf('gw-b', 1);
    await sql("DELETE FROM audit_log WHERE writer = 'gw-b'");
    await sql("DELETE FROM audit_log_checkpoints WHERE writer = 'gw-b'");
    expect(await verify(false)).toMatchObject({ ok: false, problem: { kind: 'tree-gap', leafIndex: first } });
  });

  test('a correctly hashed record appended to a closed writer: append-after-close', async () => {
    const [last] = await sql(
      "SELECT chain_seq, hash FROM audit_log WHERE writer = 'gw-a' ORDER BY chain_seq DESC LIMIT 1",
    );
    await appendForged('gw-a', Number(last?.chain_seq) + 1, last?.hash as string);
    expect(await verify()).toMatchObject({
      ok: false,
      problem: { kind: 'append-after-close', leafIndex: 23, writer: 'gw-a' },
    });
  });

  test('a whole new writer chain forged, even with an opening record: forged-writer', async () => {
    const opened = await appendForged('gw-forged', 1, null, 'log-writer-opened');
    await appendForged('gw-forged', 2, opened);
    expect(await verify()).toMatchObject({
      ok: false,
      problem: { kind: 'forged-writer', leafIndex: 23, writer: 'gw-forged' },
    });
  });

  test('the head the witness holds deleted, and a cosigned head deleted: deleted-checkpoint', async () => {
    await sql('DELETE FROM audit_log_tree_heads WHERE size = 23');
    expect(await verify()).toMatchObject({ ok: false, problem: { kind: 'deleted-checkpoint', size: 23 } });
    await sql(
      `INSERT INTO audit_log_cosignatures (size, witness, timestamp, line, received_at) VALUES (14, 'w', 1, 'x', now())`,
    );
    await sql('DELETE FROM audit_log_tree_heads WHERE size = 14');
    expect(await verify(false)).toMatchObject({
      ok: false,
      problem: { kind: 'deleted-checkpoint', size: 14 },
    });
  });

  test('a tree head edited in the database: bad-tree-head', async () => {
    await sql("UPDATE audit_log_tree_heads SET note = replace(note, '\n22\n', '\n23\n') WHERE size = 22");
    expect(await verify(false)).toMatchObject({ ok: false, problem: { kind: 'bad-tree-head', size: 22 } });
  });
});
