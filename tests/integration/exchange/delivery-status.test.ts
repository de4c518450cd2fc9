/**
 * A message's status, read while its delivery ends: what a consumer's server
 * polling `GET /v1/exchange/{id}` sees must be one consistent state, never
 * the new state with the facts of the old one.
 */
import type { ExchangeStatus } from '../../../gateway/src/delivery/delivery-job';
import type { ExchangeNetwork } from '../../helpers/exchange-network';
import { personResponder, startNetwork, statusOf, submitAsync } from './delivery-support';

/** Messages polled at once. */
const MESSAGES = 20;
/** Each delivery (or failed attempt) takes about this long: polls land on both sides of its end. */
const DELIVERY_MS = 40;

/** Polls the statuses of `ids` without pause until every one is `state`; every status seen. */
async function pollUntilAll(
  network: ExchangeNetwork,
  ids: readonly string[],
  state: ExchangeStatus['state'],
  timeoutMs: number,
): Promise<ExchangeStatus[]> {
  const seen: ExchangeStatus[] = [];
  const deadline = Date.now() + timeoutMs;
  await Promise.all(
    ids.map(async (id) => {
      for (;;) {
        const status = await statusOf(network, id);
        seen.push(status);
        if (status.state === state) return;
        if (Date.now() > deadline) throw new Error(`message ${id} is still ${status.state}`);
      }
    }),
  );
  return seen;
}

describe('the status of a message whose delivery is ending', () => {
  const MAX_ATTEMPTS = 3;
  let network: ExchangeNetwork;

  beforeAll(async () => {
    network = await startNetwork({
      service: { retryPolicy: { maxAttempts: MAX_ATTEMPTS, backoffMs: 10 } },
    });
  });
  afterAll(() => network.close());
  beforeEach(() => {
    network.provider.reset().respond(personResponder).delay(DELIVERY_MS);
  });

  it('shows `delivered` only with the answer', async () => {
    const ids = await submitAsync(network, MESSAGES);
    const seen = await pollUntilAll(network, ids, 'delivered', 10_000);
    const withoutAnswer = seen.filter(
      (status) => status.state === 'delivered' && status.answer?.envelope === undefined,
    );
    const settled = await Promise.all(ids.map((id) => statusOf(network, id)));
    expect(settled.filter((status) => status.answer?.envelope === undefined)).toEqual([]);
    expect(withoutAnswer).toEqual([]);
  });

  it('shows `dead-lettered` only with the count of every attempt made', async () => {
    network.provider.alwaysFail(503);
    const ids = await submitAsync(network, MESSAGES);
    const seen = await pollUntilAll(network, ids, 'dead-lettered', 10_000);
    const miscounted = seen.filter(
      (status) => status.state === 'dead-lettered' && status.attempts !== MAX_ATTEMPTS,
    );
    // Read again once settled, every one has its full count: the reads above raced the end.
    const settled = await Promise.all(ids.map((id) => statusOf(network, id)));
    expect(settled.filter((status) => status.attempts !== MAX_ATTEMPTS)).toEqual([]);
    expect(miscounted).toEqual([]);
  });
});
