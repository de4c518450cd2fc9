import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SqlStore } from '../../../core/src';
import {
  exportMessageLog,
  verifyMessageLogBundle,
  type ExportMessageLogOptions,
  type MessageLog,
} from '../../../security-server/src/message-log';
import { runOrtoo } from '../../helpers/cli-runner';
import { STORE_ENGINES, type StoreEngine } from '../../helpers/store-engines';
import {
  LOG_EPOCH,
  TestClock,
  createLogPki,
  exchange,
  logExchange,
  openLog,
  openLogStore,
  type LogPki,
} from './log-support';

const pki: LogPki = createLogPki();
const MINUTE = 60_000;
const at = (minutes: number) => new Date(LOG_EPOCH.getTime() + minutes * MINUTE);

describe.each(STORE_ENGINES)('message-log evidence bundles on %s', (engineName) => {
  let engine: StoreEngine;
  let store: SqlStore;
  let log: MessageLog;
  let dir: string;
  const clock = new TestClock();
  const signing: Pick<ExportMessageLogOptions, 'signer' | 'signCertificatePem' | 'caPem' | 'now'> = {
    signer: pki.consumer.sign.signer,
    signCertificatePem: pki.consumer.sign.certificate.pem,
    caPem: pki.ca.certificate.pem,
    now: at(60),
  };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'ortoo-log-evidence-'));
    ({ engine, store } = await openLogStore(engineName));
    log = openLog(store, pki, clock);
    // Five exchanges a minute apart: minutes 0 to 4.
    for (let minute = 0; minute < 5; minute += 1) {
      await logExchange(log, exchange(pki, clock, `case-${minute}`));
      clock.advance(MINUTE);
    }
  });
  afterAll(async () => {
    try {
      await log.close();
    } finally {
      await engine.cleanup();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses to export records no checkpoint covers yet, unless the running log signs first', async () => {
    await expect(exportMessageLog(store, { ...signing, from: at(1), to: at(3) })).rejects.toMatchObject({
      code: 'Conflict',
    });
    const text = await exportMessageLog(store, { ...signing, from: at(1), to: at(3), log });
    expect(verifyMessageLogBundle(text, { trustedCa: pki.ca.certificate })).toMatchObject({
      ok: true,
      records: 4,
    });
  });

  it('exports a time range, whole messages included, as a bundle that verifies offline', async () => {
    await log.checkpoint();
    const text = await exportMessageLog(store, { ...signing, from: at(1), to: at(3) });
    const result = verifyMessageLogBundle(text, { trustedCa: pki.ca.certificate });
    if (!result.ok) throw new Error(result.problem.message);
    expect(result.records).toBe(4);
    expect(result.bundle.query).toEqual({
      log: 'message-log',
      from: at(1).toISOString(),
      to: at(3).toISOString(),
    });
    expect(result.bundle.records.map((row) => [row.message_id, row.kind])).toEqual([
      ['case-1', 'request'],
      ['case-1', 'response'],
      ['case-2', 'request'],
      ['case-2', 'response'],
    ]);
    expect(result.bundle.records[1]?.signed_message).toMatchObject({
      body: { name: 'Бат-Эрдэнэ' },
      envelope: { kind: 'response', status: 200 },
    });
    // The rows after the range up to the checkpoint come along as links, not as records.
    expect(result.bundle.links.length).toBe(4);
  });

  it('exports one message id', async () => {
    const text = await exportMessageLog(store, { ...signing, from: at(0), to: at(10), messageId: 'case-3' });
    const result = verifyMessageLogBundle(text);
    expect(result).toMatchObject({ ok: true, records: 2, caThumbprint: pki.ca.certificate.thumbprint });
  });

  it('fails a bundle whose message was changed, or that is signed under another CA', async () => {
    const text = await exportMessageLog(store, { ...signing, from: at(0), to: at(1) });
    const file = JSON.parse(text) as { payload: string; protected: string; signature: string };
    const payload = Buffer.from(file.payload, 'base64url').toString('utf8').replace('Бат-Эрдэнэ', 'Дорж');
    const changed = `${JSON.stringify({ ...file, payload: Buffer.from(payload).toString('base64url') })}\n`;
    expect(verifyMessageLogBundle(changed)).toMatchObject({ ok: false, problem: { kind: 'bad-signature' } });
    const other = createLogPki();
    expect(verifyMessageLogBundle(text, { trustedCa: other.ca.certificate })).toMatchObject({
      ok: false,
      problem: { kind: 'untrusted' },
    });
  });

  it('refuses an empty range, and one with more records than allowed', async () => {
    await expect(exportMessageLog(store, { ...signing, from: at(3), to: at(3) })).rejects.toMatchObject({
      code: 'BadRequest',
    });
    await expect(
      exportMessageLog(store, { ...signing, from: at(0), to: at(10), maxRecords: 3 }),
    ).rejects.toMatchObject({ code: 'BadRequest' });
  });

  it('verifies with `ortoo audit verify-bundle`, offline, against the instance CA', async () => {
    const bundle = path.join(dir, 'evidence.jose.json');
    const caFile = path.join(dir, 'ca.pem');
    writeFileSync(bundle, await exportMessageLog(store, { ...signing, from: at(0), to: at(5) }));
    writeFileSync(caFile, pki.ca.certificate.pem);

    const ok = await runOrtoo(['audit', 'verify-bundle', bundle, '--ca', caFile, '--json']);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true, records: 10, caTrusted: true });

    // One byte changed anywhere: the auditor's tool says so.
    const text = readFileSync(bundle, 'utf8');
    writeFileSync(bundle, text.replace('"signature":"', '"signature":"A'));
    const bad = await runOrtoo(['audit', 'verify-bundle', bundle, '--ca', caFile]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/does not verify/);
  });
});
