import { retentionCutoff } from '../../../core/src';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SqlStore } from '../../../core/src';
import { openSecurityServerStore } from '../../../security-server/src/database';
import {
  archiveMessageLog,
  runArchive,
  verifyMessageLog,
  verifyMessageLogBundle,
  type ArchiveMessageLogOptions,
} from '../../../security-server/src/message-log';
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
const DAY = 24 * 3600_000;
const day = (n: number) => new Date(LOG_EPOCH.getTime() + n * DAY);

const signing: Pick<ArchiveMessageLogOptions, 'signer' | 'signCertificatePem' | 'caPem'> = {
  signer: pki.consumer.sign.signer,
  signCertificatePem: pki.consumer.sign.certificate.pem,
  caPem: pki.ca.certificate.pem,
};

describe.each(STORE_ENGINES)('message-log retention on %s', (engineName) => {
  let engine: StoreEngine;
  let store: SqlStore;
  let dir: string;
  const verify = () => verifyMessageLog(store, { signers: [pki.consumer.sign.certificate] });
  const ids = async () =>
    (await store.query<{ message_id: string }>('SELECT DISTINCT message_id FROM message_log ORDER BY 1')).map(
      (row) => row.message_id,
    );

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'ortoo-log-archive-'));
    ({ engine, store } = await openLogStore(engineName));
  });
  afterEach(async () => {
    await engine.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('archives old records to a verified file before deleting them; what remains still verifies', async () => {
    const clock = new TestClock(day(0));
    const log = openLog(store, pki, clock);
    try {
      await logExchange(log, exchange(pki, clock, 'old-1'));
      clock.advance(DAY);
      await logExchange(log, exchange(pki, clock, 'old-2'));
      await log.checkpoint();
      // Past the cut-off but after the last checkpoint: it waits for a later run.
      await logExchange(log, exchange(pki, clock, 'old-unsigned'));
      clock.advance(10 * DAY);
      await logExchange(log, exchange(pki, clock, 'recent'));
      await log.checkpoint();

      const file = path.join(dir, 'archive-1.jose.json');
      const result = await archiveMessageLog(store, { ...signing, before: day(5), file, now: day(11) });
      expect(result).toEqual({
        file,
        records: 4,
        chains: [{ writer: log.writer, fromChainSeq: 1, upToChainSeq: 4, records: 4, sealed: false }],
        more: false,
      });
      const check = verifyMessageLogBundle(readFileSync(file, 'utf8'), { trustedCa: pki.ca.certificate });
      if (!check.ok) throw new Error(check.problem.message);
      expect(check.records).toBe(4);
      expect(check.bundle.records.map((row) => row.message_id)).toEqual(['old-1', 'old-1', 'old-2', 'old-2']);
      expect(check.bundle.query).toMatchObject({
        log: 'message-log',
        archive: true,
        before: day(5).toISOString(),
      });

      expect(await ids()).toEqual(['old-unsigned', 'recent']);
      expect(await verify()).toMatchObject({ ok: true, records: 4 });
      expect(await log.request('old-1')).toBeUndefined();
      expect(await log.request('recent')).toBeDefined();
      const markers = await store.query(
        'SELECT writer, up_to_chain_seq, record_count, file FROM message_log_archives',
      );
      expect(markers).toEqual([{ writer: log.writer, up_to_chain_seq: 4, record_count: 4, file }]);

      // The chain goes on after the archive, and a second run finds nothing more that is due.
      await logExchange(log, exchange(pki, clock, 'after'));
      await log.checkpoint();
      expect(await verify()).toMatchObject({ ok: true, records: 6 });
      const again = path.join(dir, 'archive-2.jose.json');
      expect(await archiveMessageLog(store, { ...signing, before: day(5), file: again })).toEqual({
        file: undefined,
        records: 0,
        chains: [],
        more: false,
      });
      expect(existsSync(again)).toBe(false);
    } finally {
      await log.close();
    }
  });

  it('never writes over an existing file, and deletes nothing then', async () => {
    const clock = new TestClock(day(0));
    const log = openLog(store, pki, clock);
    await logExchange(log, exchange(pki, clock, 'old'));
    await log.close();
    const file = path.join(dir, 'taken.jose.json');
    writeFileSync(file, 'an earlier archive');
    await expect(archiveMessageLog(store, { ...signing, before: day(5), file })).rejects.toMatchObject({
      code: 'Conflict',
    });
    expect(readFileSync(file, 'utf8')).toBe('an earlier archive');
    expect(await ids()).toEqual(['old']);
  });

  it('seals the unsigned end of a chain whose writer stopped without signing, once it verifies', async () => {
    const clock = new TestClock(day(0));
    // A process that crashed: its records were committed, its last checkpoint never signed.
    const crashed = openLog(store, pki, clock, { writer: 'crashed' });
    await logExchange(crashed, exchange(pki, clock, 'before-crash-1'));
    await crashed.checkpoint();
    await logExchange(crashed, exchange(pki, clock, 'before-crash-2'));
    const live = openLog(store, pki, clock, { writer: 'live' });
    try {
      clock.advance(10 * DAY);
      await logExchange(live, exchange(pki, clock, 'live'));
      await live.checkpoint();

      const file = path.join(dir, 'sealed.jose.json');
      const result = await archiveMessageLog(store, { ...signing, before: day(5), file, now: day(11) });
      expect(result.chains).toEqual([
        { writer: 'crashed', fromChainSeq: 1, upToChainSeq: 4, records: 4, sealed: true },
      ]);
      expect(verifyMessageLogBundle(readFileSync(file, 'utf8'))).toMatchObject({ ok: true, records: 4 });
      expect(await ids()).toEqual(['live']);
      expect(await verify()).toMatchObject({ ok: true, records: 2 });
    } finally {
      await live.close();
    }
  });

  it('never archives away a record that was changed: the file does not verify, nothing is deleted', async () => {
    const clock = new TestClock(day(0));
    const log = openLog(store, pki, clock);
    await logExchange(log, exchange(pki, clock, 'old'));
    await log.close();
    await store.query(
      `UPDATE message_log SET signed_message = jsonb_set(signed_message, '{body,name}', '"Дорж"')
       WHERE kind = 'response'`,
    );
    const file = path.join(dir, 'tampered.jose.json');
    await expect(archiveMessageLog(store, { ...signing, before: day(5), file })).rejects.toMatchObject({
      code: 'AuditUnavailable',
      detail: { problem: { kind: 'hash-mismatch' } },
    });
    expect(await ids()).toEqual(['old']);
    expect(await store.query('SELECT id FROM message_log_archives')).toEqual([]);
  });

  it('archives about maxRecords a run, ending at checkpoints, and says when more are due', async () => {
    const clock = new TestClock(day(0));
    const log = openLog(store, pki, clock);
    try {
      for (let index = 0; index < 3; index += 1) {
        await logExchange(log, exchange(pki, clock, `batch-${index}`));
        await log.checkpoint(); // at chain_seq 2, 4, 6
      }
      const first = await archiveMessageLog(store, {
        ...signing,
        before: day(5),
        file: path.join(dir, 'part-1.jose.json'),
        maxRecords: 3,
      });
      expect(first).toMatchObject({ records: 2, more: true });
      const second = await archiveMessageLog(store, {
        ...signing,
        before: day(5),
        file: path.join(dir, 'part-2.jose.json'),
        maxRecords: 4,
      });
      expect(second).toMatchObject({
        records: 4,
        more: false,
        chains: [expect.objectContaining({ fromChainSeq: 3, upToChainSeq: 6 })],
      });
      expect(await ids()).toEqual([]);
      expect(await verify()).toMatchObject({ ok: true, records: 0 });
    } finally {
      await log.close();
    }
  });
});

describe('runArchive, as `ortoo ss archive` calls it', () => {
  it('archives what is past the configured retention from the server’s own PGlite store', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ortoo-log-run-archive-'));
    try {
      const dataDir = path.join(dir, 'db');
      const now = day(40);
      const clock = new TestClock(retentionCutoff(now, 31));
      let store = await openSecurityServerStore({ dataDir });
      const log = openLog(store, pki, clock);
      await logExchange(log, exchange(pki, clock, 'past-retention'));
      await log.checkpoint(); // as the running server's timer does
      clock.advance(2 * DAY); // now 29 days old: kept
      await logExchange(log, exchange(pki, clock, 'kept'));
      await log.close();
      await store.close();

      const out = path.join(dir, 'archive', 'message-log.jose.json');
      const result = await runArchive({
        config: { dataDir, messageLog: { retentionDays: 30 } },
        identity: {
          signer: pki.consumer.sign.signer,
          signCertificate: pki.consumer.sign.certificate,
          caPem: [pki.ca.certificate.pem],
        },
        out,
        now,
      });
      expect(result).toMatchObject({ file: out, records: 2, more: false });
      expect(
        verifyMessageLogBundle(readFileSync(out, 'utf8'), { trustedCa: pki.ca.certificate }),
      ).toMatchObject({
        ok: true,
        records: 2,
      });

      store = await openSecurityServerStore({ dataDir });
      try {
        const left = await store.query<{ message_id: string }>('SELECT DISTINCT message_id FROM message_log');
        expect(left).toEqual([{ message_id: 'kept' }]);
        expect(await verifyMessageLog(store, { signers: [pki.consumer.sign.certificate] })).toMatchObject({
          ok: true,
          records: 2,
        });
      } finally {
        await store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
