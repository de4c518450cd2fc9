/**
 * Security servers witness the gateway's audit log over its real API: each
 * checks the log's signature and a consistency proof from the checkpoint it
 * holds, cosigns, keeps the checkpoint and sends the cosignature back; a
 * rewritten log is refused by the witness that saw the old one, and the
 * checkpoints of two witnesses then show the fork to verification.
 */
import { generateKeyPairSync } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Registry } from 'prom-client';
import request from 'supertest';
import {
  ED25519_NOTE,
  chainHash,
  cosignatureBy,
  createLogger,
  parseNote,
  verifyEvidenceBundle,
  verifierKey,
  witnessKeyName,
  type SqlStore,
} from '../../../core/src';
import { AuditTrail } from '../../../gateway/src/audit/audit-trail';
import { AUDIT_TABLE } from '../../../gateway/src/audit/audit-table';
import { verifyWholeAuditLog } from '../../../gateway/src/audit/audit-verification';
import { migrateSecurityServerStore } from '../../../security-server/src/database';
import { LogWitness } from '../../../security-server/src/witness/log-witness';
import { startGateway, type GatewayHarness } from '../../helpers/gateway-harness';
import { issueServerIdentity } from '../../helpers/server-identity';
import { STORE_ENGINES, storeEngine } from '../../helpers/store-engines';
import { PassThrough } from 'node:stream';

describe.each(STORE_ENGINES)('witnesses of the audit log on %s', (engineName) => {
  const engine = storeEngine(engineName);
  let gateway: GatewayHarness;
  let server: Server;
  let witnesses: {
    witness: LogWitness;
    store: SqlStore;
    metrics: Registry;
    key: { publicKey: import('node:crypto').KeyObject; name: string };
  }[];

  beforeAll(async () => {
    gateway = await startGateway(engineName);
    server = gateway.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const { trust } = gateway.deps;
    const logVkey = verifierKey(trust.auditLogSigner.name, ED25519_NOTE, trust.auditLogSigner.publicKey);
    witnesses = [];
    for (const serverId of ['MN/GOV/1001/ss1', 'MN/GOV/1002/ss2']) {
      const identity = await issueServerIdentity(trust, gateway.store, {
        serverId,
        address: 'https://127.0.0.1:1',
      });
      const store = await engine.openIsolated();
      await migrateSecurityServerStore(store);
      const metrics = new Registry();
      const key = { name: witnessKeyName(serverId), ...generateKeyPairSync('ed25519') };
      const witness = new LogWitness({
        store,
        gatewayUrl: url,
        serverId,
        signer: identity.sign.signer,
        key,
        logKey: () => logVkey,
        logger: createLogger({ service: 'witness-test', level: 'error', stream: new PassThrough() }),
        metrics,
      });
      witnesses.push({ witness, store, metrics, key });
    }
  }, 120_000);
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await engine.cleanup();
    await gateway.close();
  });

  const record = async (trail: AuditTrail, n: number) => {
    for (let i = 0; i < n; i += 1)
      await trail.record({ event: 'delivered', outcome: 'ok', messageId: `m-${i}` });
  };

  test('two witnesses cosign; a rewrite is refused by the one that saw the old tree, and verification names the fork', async () => {
    const [first, second] = witnesses as [(typeof witnesses)[0], (typeof witnesses)[0]];
    const { trust } = gateway.deps;
    const old = new AuditTrail({
      store: gateway.store,
      signer: trust.auditSigner,
      logSigner: trust.auditLogSigner,
      subjectSecret: trust.auditSubjectSecret,
      writer: 'gw-old',
    });
    await record(old, 5);
    await old.close();
    await record(gateway.deps.audit, 3);
    await gateway.deps.audit.checkpoint();

    // The first witness cosigns, keeps the checkpoint, and the gateway publishes its cosignature.
    expect(await first.witness.witnessOnce()).toBe('cosigned');
    expect(await first.witness.witnessOnce()).toBe('unchanged');
    const published = (await request(gateway.app).get('/v1/log/checkpoint').expect(200)).body as {
      size: number;
      note: string;
      cosignatures: { witness: string; serverId: string }[];
      witnessed: boolean;
    };
    expect(published.cosignatures).toEqual([
      expect.objectContaining({ witness: 'witness/MN/GOV/1001/ss1', serverId: 'MN/GOV/1001/ss1' }),
    ]);
    expect(published.witnessed).toBe(true);
    expect(cosignatureBy(parseNote(published.note), first.key)).toEqual(expect.any(Number));
    const held = (await first.witness.held()) as string;
    expect(cosignatureBy(parseNote(held), first.key)).toEqual(expect.any(Number));

    // An evidence bundle proves each record in that cosigned checkpoint, offline.
    const exported = await request(gateway.app)
      .post('/v1/audit/export')
      .set('Authorization', gateway.auditor)
      .send({ query: { messageId: 'm-1' } })
      .expect(200);
    const bundle = verifyEvidenceBundle(exported.text, { content: (row) => AUDIT_TABLE.content(row) });
    expect(bundle).toMatchObject({
      ok: true,
      tree: { size: published.size, witnessedBy: ['MN/GOV/1001/ss1'] },
    });

    // The log grows: a consistency proof from the held size is checked before the next cosignature.
    await record(gateway.deps.audit, 4);
    await gateway.deps.audit.checkpoint();
    expect(await first.witness.witnessOnce()).toBe('cosigned');
    const witnessedSize = Number(parseNote((await first.witness.held()) as string).text.split('\n')[1]);

    // An insider rewrites a closed writer's record, rehashes its chain, and has the tree rebuilt.
    const sql = (text: string, params: unknown[] = []) => gateway.store.query(text, params);
    await sql("UPDATE audit_log SET message_id = 'm-evil' WHERE writer = 'gw-old' AND chain_seq = 3");
    let prev: string | null = null;
    for (const row of await sql("SELECT * FROM audit_log WHERE writer = 'gw-old' ORDER BY chain_seq")) {
      const hash = chainHash(
        { writer: 'gw-old', chainSeq: Number(row.chain_seq), at: row.at as Date, prevHash: prev },
        AUDIT_TABLE.content(row),
      );
      await sql('UPDATE audit_log SET prev_hash = $1, hash = $2 WHERE seq = $3', [prev, hash, row.seq]);
      prev = hash;
    }
    await sql("DELETE FROM audit_log_checkpoints WHERE writer = 'gw-old'");
    await sql('DELETE FROM audit_log_tree');
    await sql('DELETE FROM audit_log_tree_heads');
    await sql('DELETE FROM audit_log_cosignatures');
    await record(gateway.deps.audit, 2);
    await gateway.deps.audit.checkpoint(); // the honest gateway signs the rewritten tree

    // The witness that saw the old tree refuses, raises it and keeps both signed heads ...
    expect(await first.witness.witnessOnce()).toBe('refused');
    expect(first.witness.conflict).toMatchObject({ reason: 'inconsistent' });
    expect(await first.metrics.getSingleMetricAsString('ortoo_ss_witness_refusals_total')).toContain(
      'ortoo_ss_witness_refusals_total{reason="inconsistent"} 1',
    );
    const [evidence] = await first.store.query<{ held_note: string; offered_note: string }>(
      'SELECT held_note, offered_note FROM witness_conflicts',
    );
    const cosignedHeld = (await first.witness.held()) as string;
    expect(evidence?.held_note).toBe(cosignedHeld);
    expect(Number(parseNote(evidence?.offered_note as string).text.split('\n')[1])).toBeGreaterThan(
      witnessedSize,
    );
    // ... and still holds the old checkpoint.
    expect(Number(parseNote((await first.witness.held()) as string).text.split('\n')[1])).toBe(witnessedSize);

    // A witness that never saw the old tree cosigns the new one.
    expect(await second.witness.witnessOnce()).toBe('cosigned');

    const logKey = { name: trust.auditLogSigner.name, publicKey: trust.auditLogSigner.publicKey };
    const verdict = await verifyWholeAuditLog(gateway.store, {
      signers: [trust.auditCertificate],
      logKey,
      witnessCheckpoints: [
        { witness: 'MN/GOV/1001/ss1', note: (await first.witness.held()) as string },
        { witness: 'MN/GOV/1002/ss2', note: (await second.witness.held()) as string },
      ],
    });
    expect(verdict).toMatchObject({ ok: false, problem: { kind: 'fork', size: witnessedSize } });
    // The first witness's checkpoint alone shows it too: the gateway's key signed both trees.
    expect(
      await verifyWholeAuditLog(gateway.store, {
        signers: [trust.auditCertificate],
        logKey,
        witnessCheckpoints: [{ witness: 'MN/GOV/1001/ss1', note: (await first.witness.held()) as string }],
      }),
    ).toMatchObject({ ok: false, problem: { kind: 'fork', size: witnessedSize } });
  });
});
