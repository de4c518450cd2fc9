import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { verifyEvidenceBundle } from '../../../core/src';
import { archiveOldRecords } from '../../../gateway/src/audit/audit-archive';
import { AUDIT_TABLE } from '../../../gateway/src/audit/audit-table';
import { recordExchange, STORY_EVENTS } from '../../helpers/audit-story';
import { startGateway, type GatewayHarness } from '../../helpers/gateway-harness';
import { STORE_ENGINES } from '../../helpers/store-engines';

const CLIENT = 'MN/GOV/70000001/tax';
const SERVICE = 'MN/GOV/70000003/registry/person-lookup/v1';
const SUBJECT = 'MN38001010000';

describe.each(STORE_ENGINES)('the tamper-evident audit log (%s)', (engine) => {
  let gateway: GatewayHarness;
  let story: string;

  beforeAll(async () => {
    gateway = await startGateway(engine);
    story = await recordExchange(gateway.deps.audit, {
      client: CLIENT,
      service: SERVICE,
      dataSubject: SUBJECT,
      issue: 'case 42',
    });
    await recordExchange(gateway.deps.audit, { client: CLIENT, service: SERVICE });
  });
  afterAll(() => gateway.close());

  const verify = async (query: Record<string, string> = {}) =>
    (
      await request(gateway.app)
        .get('/v1/audit/verify')
        .query(query)
        .set('Authorization', gateway.auditor)
        .expect(200)
    ).body as {
      ok: boolean;
      records?: number;
      problem?: { kind: string; seq?: number; checkpointId?: number };
    };
  const seqOf = async (event: string, messageId = story) => {
    const [row] = await gateway.store.query<{ seq: number }>(
      'SELECT seq FROM audit_log WHERE message_id = $1 AND event = $2',
      [messageId, event],
    );
    return row?.seq as number;
  };

  it('chains every record to the one before it in its writer chain', async () => {
    const rows = await gateway.store.query<{ chain_seq: number; prev_hash: string | null; hash: string }>(
      'SELECT chain_seq, prev_hash, hash FROM audit_log WHERE writer = $1 ORDER BY chain_seq',
      [gateway.deps.audit.writer],
    );
    expect(rows[0]).toMatchObject({ chain_seq: 1, prev_hash: null });
    rows.slice(1).forEach((row, index) => expect(row.prev_hash).toBe(rows[index]?.hash));
  });

  it('verifies the whole log and a time range', async () => {
    const whole = await verify();
    expect(whole).toMatchObject({ ok: true, chains: 1, checkpoints: expect.any(Number) });
    expect(whole.records).toBeGreaterThanOrEqual(8);
    expect(await verify({ from: new Date(Date.now() - 3600_000).toISOString() })).toMatchObject({ ok: true });
  });

  it('names the seq of a record whose field was changed in the database', async () => {
    const seq = await seqOf('delivered');
    await gateway.store.query("UPDATE audit_log SET client = 'MN/GOV/66666666/evil' WHERE seq = $1", [seq]);
    expect(await verify()).toMatchObject({ ok: false, problem: { kind: 'hash-mismatch', seq } });
    await gateway.store.query('UPDATE audit_log SET client = $1 WHERE seq = $2', [CLIENT, seq]);
    expect(await verify()).toMatchObject({ ok: true });
  });

  it('names the place of a record deleted from the database', async () => {
    const seq = await seqOf('queued');
    const [removed] = await gateway.store.query('DELETE FROM audit_log WHERE seq = $1 RETURNING *', [seq]);
    const next = await seqOf('delivered');
    expect(await verify()).toMatchObject({ ok: false, problem: { kind: 'gap', seq: next } });
    const row = removed as Record<string, unknown>;
    const columns = Object.keys(row);
    await gateway.store.query(
      `INSERT INTO audit_log (${columns.join(', ')}) OVERRIDING SYSTEM VALUE
       SELECT ${columns.join(', ')} FROM json_populate_record(NULL::audit_log, $1::json)`,
      [JSON.stringify(row)],
    );
    expect(await verify()).toMatchObject({ ok: true });
  });

  it('names the checkpoint whose signature was forged', async () => {
    const [checkpoint] = await gateway.store.query<{ id: number; head_hash: string }>(
      'SELECT id, head_hash FROM audit_log_checkpoints ORDER BY id LIMIT 1',
    );
    await gateway.store.query(
      'UPDATE audit_log_checkpoints SET record_count = record_count + 1 WHERE id = $1',
      [checkpoint?.id],
    );
    expect(await verify()).toMatchObject({
      ok: false,
      problem: { kind: 'bad-checkpoint', checkpointId: checkpoint?.id },
    });
    await gateway.store.query(
      'UPDATE audit_log_checkpoints SET record_count = record_count - 1 WHERE id = $1',
      [checkpoint?.id],
    );
    expect(await verify()).toMatchObject({ ok: true });
  });

  it('exports a bundle that verifies offline, and fails after any byte changes', async () => {
    const res = await request(gateway.app)
      .post('/v1/audit/export')
      .set('Authorization', gateway.auditor)
      .send({ query: { messageId: story } })
      .expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/jose\+json/);
    expect(res.headers['content-disposition']).toMatch(
      /^attachment; filename="audit-evidence-.*\.jose\.json"$/,
    );
    const text = res.text;
    const checked = verifyEvidenceBundle(text, {
      content: AUDIT_TABLE.content,
      trustedCa: gateway.deps.trust.ca.certificate,
    });
    expect(checked).toMatchObject({ ok: true, records: STORY_EVENTS.length });
    const index = text.indexOf('"signature"') - 20;
    const flipped = text.slice(0, index) + (text[index] === 'A' ? 'B' : 'A') + text.slice(index + 1);
    expect(verifyEvidenceBundle(flipped, { content: AUDIT_TABLE.content }).ok).toBe(false);
  });

  it('never stores the data subject in clear', async () => {
    const dump = await gateway.store.query<{ row: string }>(
      `SELECT l::text AS row FROM audit_log l
       UNION ALL SELECT c::text FROM audit_log_checkpoints c`,
    );
    expect(dump.length).toBeGreaterThan(8);
    expect(dump.filter(({ row }) => row.includes(SUBJECT))).toEqual([]);
    const hashed = await gateway.store.query('SELECT seq FROM audit_log WHERE subject_hash = $1', [
      gateway.deps.audit.subjectHash(SUBJECT),
    ]);
    expect(hashed).toHaveLength(STORY_EVENTS.length);
  });

  it('archives old records to a verified bundle before deleting them; what remains still verifies', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ortoo-archive-'));
    try {
      await gateway.deps.audit.checkpoint();
      const cutoff = new Date(Date.now() + 1000);
      const [{ count: before } = { count: 0 }] = await gateway.store.query<{ count: number }>(
        'SELECT count(*) AS count FROM audit_log',
      );
      // Records after the cut-off stay.
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const later = await recordExchange(gateway.deps.audit, { client: CLIENT, service: SERVICE });

      const archived = await archiveOldRecords({
        store: gateway.store,
        dir,
        cutoff,
        trust: gateway.deps.trust,
      });
      expect(archived).toEqual([
        expect.objectContaining({ writer: gateway.deps.audit.writer, fromChainSeq: 1, records: before }),
      ]);
      const files = readdirSync(dir);
      expect(files).toHaveLength(1);
      const bundle = readFileSync(path.join(dir, files[0] as string), 'utf8');
      expect(
        verifyEvidenceBundle(bundle, {
          content: AUDIT_TABLE.content,
          trustedCa: gateway.deps.trust.ca.certificate,
        }),
      ).toMatchObject({ ok: true, records: before });

      const left = await gateway.store.query<{ message_id: string | null }>(
        'SELECT message_id FROM audit_log',
      );
      expect(left.map((row) => row.message_id)).not.toContain(story);
      expect(left.map((row) => row.message_id)).toContain(later);
      expect(await verify()).toMatchObject({ ok: true });
      const [marker] = await gateway.store.query(
        'SELECT writer, up_to_chain_seq, file FROM audit_log_archives',
      );
      expect(marker).toMatchObject({ writer: gateway.deps.audit.writer, up_to_chain_seq: before });

      // Nothing newer than the cut-off, or not yet covered, goes: a second run archives nothing.
      expect(
        await archiveOldRecords({ store: gateway.store, dir, cutoff, trust: gateway.deps.trust }),
      ).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('groups 50 concurrent appends into one valid chain', async () => {
    const appends = Array.from({ length: 50 }, (_, index) =>
      gateway.deps.audit.record({
        event: 'accepted',
        outcome: 'ok',
        messageId: `burst-${index}`,
        detail: { index },
      }),
    );
    await Promise.all(appends);
    const rows = await gateway.store.query("SELECT seq FROM audit_log WHERE message_id LIKE 'burst-%'");
    expect(rows).toHaveLength(50);
    expect(await verify()).toMatchObject({ ok: true });
  });
});
