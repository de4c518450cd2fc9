import {
  OrtooError,
  buildRequest,
  chainHash,
  envelopeHash,
  signMessage,
  type SqlStore,
} from '../../../core/src';
import {
  MESSAGE_LOG_TABLE,
  verifyMessageLog,
  type MessageLog,
} from '../../../security-server/src/message-log';
import { STORE_ENGINES, type StoreEngine } from '../../helpers/store-engines';
import {
  CONSUMER,
  SERVICE,
  TestClock,
  createLogPki,
  exchange,
  logExchange,
  openLog,
  openLogStore,
  type LogPki,
} from './log-support';

const pki: LogPki = createLogPki();

describe.each(STORE_ENGINES)('the message log on %s', (engineName) => {
  let engine: StoreEngine;
  let store: SqlStore;
  let log: MessageLog;
  const clock = new TestClock();
  const verify = () => verifyMessageLog(store, { signers: [pki.consumer.sign.certificate] });

  beforeAll(async () => {
    ({ engine, store } = await openLogStore(engineName));
    log = openLog(store, pki, clock);
  });
  afterAll(async () => {
    try {
      await log.close();
    } finally {
      await engine.cleanup();
    }
  });

  it('records a request and its answer whole, and finds them by message id', async () => {
    const pair = exchange(pki, clock, 'lookup-1');
    await logExchange(log, pair);

    // Committed when record resolved: read back straight away.
    expect(await log.request('lookup-1')).toEqual(pair.request);
    expect(await log.answer('lookup-1')).toEqual(pair.answer);
    const rows = await store.query(
      `SELECT direction, kind, message_id, client, service, status, envelope_hash, local_system, signed_message
       FROM message_log WHERE message_id = 'lookup-1' ORDER BY seq`,
    );
    expect(rows).toEqual([
      {
        direction: 'sent',
        kind: 'request',
        message_id: 'lookup-1',
        client: CONSUMER,
        service: SERVICE,
        status: null,
        envelope_hash: envelopeHash(pair.request.envelope),
        local_system: 'case-system',
        signed_message: pair.request,
      },
      {
        direction: 'received',
        kind: 'response',
        message_id: 'lookup-1',
        client: CONSUMER,
        service: SERVICE,
        status: 200,
        envelope_hash: envelopeHash(pair.answer.envelope),
        local_system: 'case-system',
        signed_message: pair.answer,
      },
    ]);
    expect((rows[1]?.signed_message as { body: unknown }).body).toEqual({
      name: 'Бат-Эрдэнэ',
      registerNumber: 'УБ99010112',
    });
  });

  it('keeps a binary body as the base64 it travelled as', async () => {
    const bytes = Buffer.from([0, 1, 2, 0xff, 0xfe, 0x80]);
    const request = signMessage(
      buildRequest(
        {
          id: 'upload-1',
          client: CONSUMER,
          service: SERVICE,
          method: 'PUT',
          body: { contentType: 'application/pdf', bytes },
        },
        { now: clock.now() },
      ),
      pki.consumer.sign.signer,
    );
    await log.record({ direction: 'received', message: request });
    const logged = await log.request('upload-1');
    expect(logged).toEqual(request);
    expect(Buffer.from(logged?.body as string, 'base64')).toEqual(bytes);
  });

  it('answers undefined for a message id it never logged', async () => {
    expect(await log.request('never-seen')).toBeUndefined();
    expect(await log.answer('never-seen')).toBeUndefined();
    expect(await log.answer('upload-1')).toBeUndefined(); // logged a request only
  });

  it('prefers the request it sent, and tells answers apart by direction and request hash', async () => {
    // Message ids are the clients' choice: another exchange may reuse one.
    const ours = exchange(pki, clock, 'shared-id');
    const theirs = exchange(pki, clock, 'shared-id', { registerNumber: 'УБ88010112', status: 404 });
    await log.record({ direction: 'received', message: theirs.request });
    await logExchange(log, ours);
    await log.record({ direction: 'sent', message: theirs.answer });

    expect(await log.request('shared-id')).toEqual(ours.request);
    expect(await log.request('shared-id', { direction: 'received' })).toEqual(theirs.request);
    expect(await log.answer('shared-id')).toEqual(theirs.answer); // the latest
    expect(await log.answer('shared-id', { direction: 'received' })).toEqual(ours.answer);
    expect(await log.answer('shared-id', { requestHash: envelopeHash(ours.request.envelope) })).toEqual(
      ours.answer,
    );
    expect(await log.answer('shared-id', { requestHash: envelopeHash(theirs.request.envelope) })).toEqual(
      theirs.answer,
    );
  });

  it.each([
    ['U+0000', 'a\u0000b'],
    ['a lone surrogate', 'a\ud800b'],
  ])('refuses JSON holding %s with a clear error, and stores nothing', async (_what, text) => {
    const before = await store.query('SELECT seq FROM message_log');
    const pair = exchange(pki, clock, 'unstorable', { registerNumber: text });
    await expect(log.record({ direction: 'sent', message: pair.request })).rejects.toMatchObject({
      code: 'BadRequest',
    });
    await expect(log.record({ direction: 'received', message: pair.answer })).rejects.toMatchObject({
      code: 'InvalidAnswer',
    });
    expect(await store.query('SELECT seq FROM message_log')).toEqual(before);
    // The chain goes on after a refusal.
    await logExchange(log, exchange(pki, clock, 'after-refusal'));
    expect(await verify()).toMatchObject({ ok: true });
  });

  it('groups 40 concurrent records into one chain that verifies', async () => {
    await Promise.all(
      Array.from({ length: 20 }, (_, index) => logExchange(log, exchange(pki, clock, `burst-${index}`))),
    );
    const [{ count } = { count: 0 }] = await store.query<{ count: number }>(
      "SELECT count(*)::int AS count FROM message_log WHERE message_id LIKE 'burst-%'",
    );
    expect(count).toBe(40);
    expect(await log.checkpoint()).toMatchObject({ writer: log.writer });
    const report = await verify();
    expect(report).toMatchObject({ ok: true, chains: 1, checkpoints: 1 });
  });

  it('names the record whose signed message was changed', async () => {
    await log.checkpoint();
    const [victim] = await store.query<{ seq: number; chain_seq: number }>(
      "SELECT seq, chain_seq FROM message_log WHERE message_id = 'lookup-1' AND kind = 'response'",
    );
    await store.query(
      `UPDATE message_log SET signed_message = jsonb_set(signed_message, '{body,name}', '"Дорж"')
       WHERE seq = $1`,
      [victim?.seq],
    );
    try {
      expect(await verify()).toEqual({
        ok: false,
        problem: expect.objectContaining({
          kind: 'hash-mismatch',
          seq: victim?.seq,
          chainSeq: victim?.chain_seq,
          writer: log.writer,
        }),
      });
    } finally {
      await store.query(
        `UPDATE message_log SET signed_message = jsonb_set(signed_message, '{body,name}', '"Бат-Эрдэнэ"')
         WHERE seq = $1`,
        [victim?.seq],
      );
    }
    expect(await verify()).toMatchObject({ ok: true });
  });

  it('catches a head rewritten with its hash recomputed, by its signed checkpoint', async () => {
    await logExchange(log, exchange(pki, clock, 'head'));
    await log.checkpoint();
    const [head] = await store.query(
      'SELECT * FROM message_log WHERE writer = $1 ORDER BY chain_seq DESC LIMIT 1',
      [log.writer],
    );
    const row = head as Record<string, unknown>;
    const forged = { ...row, status: 500 };
    const hash = chainHash(
      {
        writer: String(row.writer),
        chainSeq: Number(row.chain_seq),
        at: row.at as Date,
        prevHash: row.prev_hash as string,
      },
      MESSAGE_LOG_TABLE.content(forged),
    );
    await store.query('UPDATE message_log SET status = 500, hash = $1 WHERE seq = $2', [hash, row.seq]);
    try {
      expect(await verify()).toEqual({
        ok: false,
        problem: expect.objectContaining({ kind: 'checkpoint-mismatch', chainSeq: row.chain_seq }),
      });
    } finally {
      await store.query('UPDATE message_log SET status = $1, hash = $2 WHERE seq = $3', [
        row.status,
        row.hash,
        row.seq,
      ]);
    }
    expect(await verify()).toMatchObject({ ok: true });
  });

  it('signs checkpoints on its timer, and a last one on close; then refuses records', async () => {
    const timed = openLog(store, pki, clock, { writer: `timed-${engineName}`, checkpointIntervalMs: 20 });
    timed.start();
    await logExchange(timed, exchange(pki, clock, 'timed-1'));
    const signedHeads = async () =>
      (
        await store.query<{ chain_seq: number }>(
          'SELECT chain_seq FROM message_log_checkpoints WHERE writer = $1 ORDER BY chain_seq',
          [timed.writer],
        )
      ).map((row) => row.chain_seq);
    for (let waited = 0; (await signedHeads()).length === 0 && waited < 5000; waited += 20) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    // The timer may have signed after the request alone, then after its answer.
    expect((await signedHeads()).length).toBeGreaterThan(0);
    expect((await signedHeads()).every((chainSeq) => chainSeq <= 2)).toBe(true);

    await logExchange(timed, exchange(pki, clock, 'timed-2'));
    await timed.close();
    expect((await signedHeads()).at(-1)).toBe(4);
    const refused = timed.record({ direction: 'sent', message: exchange(pki, clock, 'late').request });
    await expect(refused).rejects.toBeInstanceOf(OrtooError);
    await expect(refused).rejects.toMatchObject({ code: 'AuditUnavailable' });
    expect(await verify()).toMatchObject({ ok: true, chains: 2 });
  });
});
