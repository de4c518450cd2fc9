/**
 * Delivery when the provider misbehaves, through the real gateway (real
 * PostgreSQL, real Redis, mutual TLS both ways): outages, failing and slow
 * providers, invalid answers; dead letters and their replay; and the audit
 * trail each step leaves.
 */
import type { Express } from 'express';
import { ERROR_KINDS, type ResponseEnvelope, type SignedMessage } from '../../../core/src';
import { searchAuditRecords, toAuditRecord } from '../../../gateway/src/audit/audit-repository';
import {
  CONSUMER,
  PERSON_SERVICE,
  PROVIDER,
  personAnswer,
  type ExchangeNetwork,
} from '../../helpers/exchange-network';
import {
  countOf,
  deadLettersApp,
  eventually,
  listDeadLetters,
  personResponder,
  replay,
  sleep,
  startNetwork,
  statusOf,
  submitAsync,
  untilAll,
  untilState,
} from './delivery-support';

const { InvalidAnswer, ProviderUnavailable, ProviderTimeout, BackendUnavailable, BadRequest } = ERROR_KINDS;

/** The events of a message's audit records, in the order they were written. */
async function auditEventsOf(network: ExchangeNetwork, id: string): Promise<string[]> {
  const rows = await searchAuditRecords(network.gateway.store, { messageId: id }, { limit: 100 });
  return rows.map(toAuditRecord).map((record) => record.event);
}

describe('a provider that is down for a while', () => {
  let network: ExchangeNetwork;

  beforeAll(async () => {
    network = await startNetwork({ service: { retryPolicy: { maxAttempts: 20, backoffMs: 50 } } });
  });
  afterAll(() => network.close());

  it('receives every message queued meanwhile exactly once when it is back', async () => {
    const { provider } = network;
    await provider.stop();
    const ids = await submitAsync(network, 20);

    // Down: every message has been tried, refused, and waits for its next attempt.
    const retrying = await eventually(
      'every message to have failed twice',
      async () => {
        const statuses = await Promise.all(ids.map((id) => statusOf(network, id)));
        return statuses.every((status) => status.attempts >= 2) ? statuses : undefined;
      },
      { timeoutMs: 5000 },
    );
    for (const status of retrying) {
      // Between attempts it is `retrying` with the last failure; during one, `delivering`.
      expect(['retrying', 'delivering']).toContain(status.state);
      if (status.state === 'retrying') expect(status.reason?.type).toBe(ProviderUnavailable.type);
    }
    expect(retrying.some((status) => status.state === 'retrying')).toBe(true);
    expect(provider.received).toEqual([]);

    await provider.start();
    const statuses = await untilAll(network, ids, 'delivered', 10_000);
    for (const status of statuses) {
      expect(status.answer?.body).toEqual(personAnswer('УБ99010112'));
    }
    await sleep(200); // any duplicate would arrive now
    expect([...provider.received].sort()).toEqual([...ids].sort());
  });
});

describe('a provider that fails every delivery', () => {
  const MAX_ATTEMPTS = 4;
  let network: ExchangeNetwork;
  let admin: Express;

  beforeAll(async () => {
    network = await startNetwork({
      service: { retryPolicy: { maxAttempts: MAX_ATTEMPTS, backoffMs: 20 } },
    });
    admin = deadLettersApp(network);
  });
  afterAll(() => network.close());
  beforeEach(() => {
    network.provider.reset().respond(personResponder);
  });

  // What the provider answers, how the gateway judges it, and so how often it tries.
  const FAILURES = [
    {
      answer: '500 with a plain text body',
      status: 500,
      reason: InvalidAnswer.type,
      attempts: 1,
    },
    {
      answer: '500 with an Örtöö error of a permanent type',
      status: 500,
      type: BadRequest.type,
      reason: BadRequest.type,
      attempts: 1,
    },
    {
      answer: '500 with an Örtöö error of a transient type (backend unavailable)',
      status: 500,
      type: BackendUnavailable.type,
      reason: BackendUnavailable.type,
      attempts: MAX_ATTEMPTS,
    },
    {
      answer: '503 with a plain text body (a proxy in front of a server that is down)',
      status: 503,
      reason: ProviderUnavailable.type,
      attempts: MAX_ATTEMPTS,
    },
  ] as const;

  it.each(FAILURES)(
    'answering $answer: dead-lettered after $attempts attempt(s), replayed once fixed, every step audited',
    async (failure) => {
      const { provider } = network;
      provider.alwaysFail(failure.status, 'type' in failure ? failure.type : undefined);
      const ids = await submitAsync(network, 3);

      // Dead-lettered with the reason, after as many attempts as the failure is worth.
      const dead = await untilAll(network, ids, 'dead-lettered', 8000);
      for (const status of dead) {
        expect(status).toEqual({
          id: status.id,
          state: 'dead-lettered',
          attempts: failure.attempts,
          reason: { type: failure.reason, message: expect.any(String) },
        });
        expect(countOf(provider.received, status.id)).toBe(failure.attempts);
      }

      // Listed by the dead-letters admin API: who and what, never the body.
      const listed = await listDeadLetters(admin, network, PROVIDER.serverId).expect(200);
      const letters = (listed.body as { items: { id: string }[] }).items.filter((letter) =>
        ids.includes(letter.id),
      );
      expect(letters.map((letter) => letter.id).sort()).toEqual([...ids].sort());
      for (const letter of letters) {
        expect(letter).toEqual({
          id: letter.id,
          kind: 'deliver',
          serverId: PROVIDER.serverId,
          client: CONSUMER.client,
          service: PERSON_SERVICE,
          failedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
          attempts: failure.attempts,
          reason: { type: failure.reason, message: expect.any(String) },
        });
      }

      // Fixed, then replayed: each delivered exactly once more.
      provider.reset().respond(personResponder);
      const before = provider.received.length;
      for (const id of ids) {
        const replayed = await replay(admin, network, PROVIDER.serverId, id).expect(202);
        expect(replayed.body).toEqual({ id, kind: 'deliver', serverId: PROVIDER.serverId, state: 'queued' });
      }
      const delivered = await untilAll(network, ids, 'delivered', 5000);
      for (const status of delivered) {
        expect(status.answer?.body).toEqual(personAnswer('УБ99010112'));
      }
      await sleep(100); // any duplicate would arrive now
      const afterReplay = provider.received.slice(before);
      expect([...afterReplay].sort()).toEqual([...ids].sort());

      // No longer a dead letter: a second replay is refused.
      await replay(admin, network, PROVIDER.serverId, ids[0] ?? '').expect(404);

      // The audit trail tells the whole story of each message, in order.
      const retries = Array.from({ length: failure.attempts - 1 }, () => 'retrying');
      for (const id of ids) {
        expect(await auditEventsOf(network, id)).toEqual([
          'accepted',
          ...retries,
          'dead-lettered',
          'dead-letter.replayed',
          'delivered',
        ]);
      }
      // Attempts are numbered from 1, afresh after the replay; failures name their reason.
      const rows = await searchAuditRecords(
        network.gateway.store,
        { messageId: ids[0] ?? '' },
        { limit: 100 },
      );
      const records = rows.map(toAuditRecord);
      const failed = records.filter((record) => ['retrying', 'dead-lettered'].includes(record.event));
      expect(failed.map((record) => record.detail.attempt)).toEqual(
        Array.from({ length: failure.attempts }, (_, i) => i + 1),
      );
      for (const record of failed) {
        expect(record).toMatchObject({
          outcome: 'failed',
          errorType: failure.reason,
          securityServer: PROVIDER.serverId,
        });
      }
      expect(records.find((record) => record.event === 'dead-letter.replayed')).toMatchObject({
        outcome: 'ok',
        actor: 'test-admin',
        securityServer: PROVIDER.serverId,
        detail: { kind: 'deliver', attempts: failure.attempts, reason: failure.reason },
      });
      expect(records.find((record) => record.event === 'delivered')).toMatchObject({
        outcome: 'ok',
        detail: { status: 200, attempt: 1 },
      });
    },
  );

  it('dead-letters a message replayed too soon again, after a fresh set of attempts', async () => {
    network.provider.alwaysFail(503);
    const [id = ''] = await submitAsync(network, 1);
    await untilState(network, id, 'dead-lettered');
    await replay(admin, network, PROVIDER.serverId, id).expect(202);
    await eventually('the replay to be tried', () =>
      countOf(network.provider.received, id) > MAX_ATTEMPTS ? true : undefined,
    );
    const status = await untilState(network, id, 'dead-lettered');
    expect(status).toMatchObject({ attempts: MAX_ATTEMPTS, reason: { type: ProviderUnavailable.type } });
    expect(countOf(network.provider.received, id)).toBe(2 * MAX_ATTEMPTS);
    const retries = Array.from({ length: MAX_ATTEMPTS - 1 }, () => 'retrying');
    expect(await auditEventsOf(network, id)).toEqual([
      'accepted',
      ...retries,
      'dead-lettered',
      'dead-letter.replayed',
      ...retries,
      'dead-lettered',
    ]);
  });

  it('does not list or replay a message that was delivered', async () => {
    const [id = ''] = await submitAsync(network, 1);
    await untilState(network, id, 'delivered');
    const listed = await listDeadLetters(admin, network, PROVIDER.serverId).expect(200);
    expect((listed.body as { items: { id: string }[] }).items.map((letter) => letter.id)).not.toContain(id);
    await replay(admin, network, PROVIDER.serverId, id).expect(404);
  });

  it('lets only an administrator replay', async () => {
    network.provider.alwaysFail(500);
    const [id = ''] = await submitAsync(network, 1);
    await untilState(network, id, 'dead-lettered');
    await replay(admin, network, PROVIDER.serverId, id)
      .set('Authorization', network.gateway.auditor)
      .expect(403);
    expect((await statusOf(network, id)).state).toBe('dead-lettered');
  });
});

describe('a sync call whose provider is slower than the service timeout', () => {
  const TIMEOUT_MS = 600;
  let network: ExchangeNetwork;

  beforeAll(async () => {
    network = await startNetwork({
      service: { timeoutMs: TIMEOUT_MS, retryPolicy: { maxAttempts: 3, backoffMs: 20 } },
    });
  });
  afterAll(() => network.close());
  beforeEach(() => {
    network.provider.reset().respond(personResponder);
  });

  it('answers the provider’s timeout at the deadline, says it was handed over, and delivers it later', async () => {
    // Slow once: the first attempt outlasts the timeout, the retry is answered at once.
    let calls = 0;
    network.provider.respond(async (request) => {
      calls += 1;
      if (calls === 1) await sleep(TIMEOUT_MS + 400);
      return personResponder(request);
    });
    const message = network.sign();
    const { id } = message.envelope;
    const started = performance.now();
    const answer = await network.post(message);
    const elapsed = performance.now() - started;

    // The last failure's own type, not a generic timeout; it may have reached the backend, so it goes on.
    expect(answer.status).toBe(504);
    expect(answer.headers['x-road-error']).toBe(ProviderTimeout.type);
    expect(answer.body).toEqual({
      type: ProviderTimeout.type,
      message: expect.stringContaining('handed to the provider'),
      detail: { id, statusUrl: `/v1/exchange/${id}`, delivery: 'handed-to-provider' },
    });
    expect(elapsed).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
    expect(elapsed).toBeLessThan(TIMEOUT_MS + 500);

    const status = await untilState(network, id, 'delivered', 5000);
    expect(status.attempts).toBe(2);
    expect(status.answer?.body).toEqual(personAnswer('УБ99010112'));
    // The attempt that timed out reached the provider too: delivery is at least once.
    expect(countOf(network.provider.received, id)).toBe(2);
    expect(await auditEventsOf(network, id)).toEqual(['accepted', 'retrying', 'delivered']);
  });

  it('answers the provider’s timeout, then dead-letters the message when the provider is always too slow', async () => {
    network.provider.delay(TIMEOUT_MS + 400);
    const message = network.sign();
    const { id } = message.envelope;
    const answer = await network.post(message);
    expect(answer.status).toBe(504);
    expect(answer.headers['x-road-error']).toBe(ProviderTimeout.type);

    const status = await untilState(network, id, 'dead-lettered', 8000);
    expect(status).toMatchObject({ attempts: 3, reason: { type: ProviderTimeout.type } });
    expect(countOf(network.provider.received, id)).toBe(3);
  });
});

describe('a sync call whose provider fails', () => {
  let network: ExchangeNetwork;

  beforeAll(async () => {
    network = await startNetwork({ service: { retryPolicy: { maxAttempts: 5, backoffMs: 20 } } });
  });
  afterAll(() => network.close());
  beforeEach(() => {
    network.provider.reset().respond(personResponder);
  });

  // Each refused at the first attempt: trying again would fail the same way.
  const PERMANENT = [
    {
      answer: 'refuses the request with 400 and an Örtöö error',
      program: (network: ExchangeNetwork) => network.provider.alwaysFail(400, BadRequest.type),
      reason: BadRequest.type,
    },
    {
      answer: 'signs its answer with a signature that does not verify',
      program: (network: ExchangeNetwork) => network.provider.badSignature(),
      reason: InvalidAnswer.type,
    },
    {
      answer: 'binds its answer to another request',
      program: (network: ExchangeNetwork) => network.provider.wrongRequestHash(),
      reason: InvalidAnswer.type,
    },
    {
      answer: 'answers a body that violates the response schema (no name)',
      program: (network: ExchangeNetwork) =>
        network.provider.respond((request) => ({
          status: 200,
          body: {
            contentType: 'application/json',
            json: { registerNumber: (request.body as { registerNumber: string }).registerNumber },
          },
        })),
      reason: InvalidAnswer.type,
    },
  ];

  it.each(PERMANENT)(
    'when the provider $answer: 502 DeliveryFailed with the reason, not retried',
    async ({ program, reason }) => {
      program(network);
      const message = network.sign();
      const { id } = message.envelope;
      const started = performance.now();
      const answer = await network.post(message);

      expect(answer.status).toBe(502);
      expect(answer.headers['x-road-error']).toBe('Server.ServerProxy.DeliveryFailed');
      expect(answer.body).toEqual({
        type: 'Server.ServerProxy.DeliveryFailed',
        message: expect.any(String),
        detail: {
          id,
          statusUrl: `/v1/exchange/${id}`,
          reason: { type: reason, message: expect.any(String) },
        },
      });
      expect(performance.now() - started).toBeLessThan(2000);

      await sleep(150); // a retry (backoff 20 ms) would arrive now
      expect(countOf(network.provider.received, id)).toBe(1);
      expect(await statusOf(network, id)).toEqual({
        id,
        state: 'dead-lettered',
        attempts: 1,
        reason: { type: reason, message: expect.any(String) },
      });
      expect(await auditEventsOf(network, id)).toEqual(['accepted', 'dead-lettered']);
    },
  );

  it('answers 200 when the provider fails for a moment and the retry succeeds within the timeout', async () => {
    network.provider.failTimes(2, 503);
    const message = network.sign();
    const { id } = message.envelope;
    const answer = await network.post(message);
    expect(answer.status).toBe(200);
    expect((answer.body as SignedMessage<ResponseEnvelope>).body).toEqual(personAnswer('УБ99010112'));
    expect(countOf(network.provider.received, id)).toBe(3);
    expect(await statusOf(network, id)).toMatchObject({ state: 'delivered', attempts: 3 });
    expect(await auditEventsOf(network, id)).toEqual(['accepted', 'retrying', 'retrying', 'delivered']);
  });

  it('keeps the provider’s own error answer (an envelope status 404) as a delivered answer', async () => {
    network.provider.respond(() => ({
      status: 404,
      body: { contentType: 'application/json', json: { error: 'Иргэн олдсонгүй' } },
    }));
    const message = network.sign();
    const answer = await network.post(message);
    expect(answer.status).toBe(200);
    const signed = answer.body as SignedMessage<ResponseEnvelope>;
    expect(signed.envelope.status).toBe(404);
    expect(signed.body).toEqual({ error: 'Иргэн олдсонгүй' });
    expect(countOf(network.provider.received, message.envelope.id)).toBe(1);
  });
});
