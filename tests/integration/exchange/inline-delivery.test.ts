/**
 * The sync path: the gateway that accepts a sync message delivers it itself,
 * behind a lease on the provider's queue, so a gateway that dies
 * mid-delivery leaves no message without an outcome.
 */
import { searchAuditRecords, toAuditRecord } from '../../../gateway/src/audit/audit-repository';
import { CALLER_ANSWERED, LEASE_GRACE_MS } from '../../../gateway/src/exchange/inline-delivery';
import type { ExchangeNetwork } from '../../helpers/exchange-network';
import { eventually, sleep } from '../../helpers/eventually';
import { startProcessNetwork, type ProcessNetwork } from '../../helpers/process-network';
import { countOf, personResponder, startNetwork, untilState } from './delivery-support';

/** Sync messages in flight when the gateway is killed. */
const IN_FLIGHT = 10;
const TIMEOUT_MS = 1_000;

async function eventsOf(network: ProcessNetwork, id: string): Promise<string[]> {
  const rows = await searchAuditRecords(network.store, { messageId: id }, { limit: 20 });
  return rows.map(toAuditRecord).map((record) => record.event);
}

describe('a gateway killed while it delivers sync messages itself', () => {
  let network: ProcessNetwork;

  beforeAll(async () => {
    // No worker at first: only the accepting gateway delivers.
    network = await startProcessNetwork({
      workers: 'separate',
      service: { timeoutMs: TIMEOUT_MS, retryPolicy: { maxAttempts: 3, backoffMs: 50 } },
    });
    await network.stopWorkers();
  }, 120_000);

  afterAll(async () => {
    await network.close();
  }, 60_000);

  it('leaves every accepted message to its lease, which a worker delivers once the lease is due', async () => {
    network.provider.delay(TIMEOUT_MS / 2);
    const messages = Array.from({ length: IN_FLIGHT }, () => network.sign());
    const ids = messages.map((message) => message.envelope.id);
    const answers = messages.map((message) => network.post(message).catch((error: unknown) => error));

    // Every message reached the provider from the gateway itself: none went through a queue.
    await eventually('every message at the provider', () =>
      ids.every((id) => network.provider.received.includes(id)) ? true : undefined,
    );
    network.gateway.kill('SIGKILL');
    const settled = await Promise.all(answers);
    // The callers lost their connection: they were never told the message failed.
    expect(settled).toEqual(ids.map(() => expect.objectContaining({ code: 'ECONNRESET' })));
    for (const id of ids) expect(await eventsOf(network, id)).toEqual(['accepted']);

    network.provider.delay(0);
    await network.startWorker();
    const deliveries = (id: string) => network.provider.received.filter((seen) => seen === id).length;
    // Nothing runs before the lease is due: the gateway might still have been answering.
    await sleep(TIMEOUT_MS);
    expect(ids.map(deliveries)).toEqual(ids.map(() => 1));
    await eventually(
      'every lease delivered',
      async () => {
        const stories = await Promise.all(ids.map((id) => eventsOf(network, id)));
        return stories.every((events) => events.includes('delivered')) ? stories : undefined;
      },
      { timeoutMs: TIMEOUT_MS + LEASE_GRACE_MS + 10_000, intervalMs: 200 },
    );
    // Delivered again by the lease, since the gateway died before its answer was on record: at least
    // once towards the provider, whose security server answers a redelivery from its message log.
    expect(ids.map(deliveries)).toEqual(ids.map(() => 2));
    for (const id of ids) expect(await eventsOf(network, id)).toEqual(['accepted', 'delivered']);
  }, 60_000);
});

describe('a sync call while its provider is down', () => {
  let network: ExchangeNetwork;

  beforeAll(async () => {
    network = await startNetwork({
      service: { timeoutMs: TIMEOUT_MS, retryPolicy: { maxAttempts: 20, backoffMs: 100 } },
    });
  });
  afterAll(() => network.close());

  it('answers the provider’s error at once, never delivers it behind the caller’s back, and takes a resend anew', async () => {
    network.provider.reset().respond(personResponder);
    await network.provider.stop();
    const message = network.sign();
    const { id } = message.envelope;
    const started = performance.now();
    const answer = await network.post(message);
    // Nothing listens: no waiting out the service's timeout.
    expect(performance.now() - started).toBeLessThan(TIMEOUT_MS);
    expect(answer.status).toBe(503);
    expect(answer.body).toMatchObject({
      type: 'Server.ServerProxy.ProviderUnavailable',
      message: expect.stringContaining('you may resend it with the same X-Road-Id'),
      detail: { id, statusUrl: `/v1/exchange/${id}`, delivery: 'not-delivered' },
    });
    const status = await untilState(network, id, 'dead-lettered', 5_000);
    expect(status.reason).toEqual({
      type: 'Server.ServerProxy.ProviderUnavailable',
      message: expect.stringContaining(CALLER_ANSWERED),
      callerAnswered: true,
    });

    await network.provider.start();
    await sleep(1_000); // a queued retry (backoff 100 ms) would have come by now
    expect(countOf(network.provider.received, id)).toBe(0);
    const rows = await searchAuditRecords(network.gateway.store, { messageId: id }, { limit: 20 });
    expect(rows.map(toAuditRecord).map((record) => record.event)).toEqual(['accepted', 'dead-lettered']);

    // The caller was told it may resend it: the same request under the same id is delivered now.
    const again = await network.post(message);
    expect(again.status).toBe(200);
    expect(countOf(network.provider.received, id)).toBe(1);
    // As is a request signed afresh under that id (a client proxy signs every call), when its first was given up.
    await network.provider.stop();
    const given = network.sign();
    expect((await network.post(given)).body).toMatchObject({ detail: { delivery: 'not-delivered' } });
    await untilState(network, given.envelope.id, 'dead-lettered', 5_000);
    await network.provider.start();
    const fresh = network.sign({ id: given.envelope.id });
    expect((await network.post(fresh)).status).toBe(200);
    expect(countOf(network.provider.received, given.envelope.id)).toBe(1);
    // A new request under an id that was delivered is still a replay.
    expect((await network.post(network.sign({ id: given.envelope.id }))).status).toBe(409);

    await eventually('the resend on record', async () => {
      const story = await searchAuditRecords(network.gateway.store, { messageId: id }, { limit: 20 });
      const events = story.map(toAuditRecord).map((record) => record.event);
      return events.length === 4 ? events : undefined;
    });
  });
});
