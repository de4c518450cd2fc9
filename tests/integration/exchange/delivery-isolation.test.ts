/**
 * Each provider server has its own queue and workers, so a slow provider
 * holds up only its own traffic: through the real gateway, with two provider
 * members, each with its own server.
 */
import type { ResponseEnvelope, SignedMessage } from '../../../core/src';
import { personAnswer, type ExchangeNetwork } from '../../helpers/exchange-network';
import {
  addSecondProvider,
  eventually,
  startNetwork,
  statusOf,
  type SecondProvider,
} from './delivery-support';

/** Each of provider A's deliveries takes this long. */
const SLOW_MS = 3000;
/** What a quick provider's sync answer may take, round trip, while the slow one is busy. */
const QUICK_MS = 1000;

describe('a slow provider', () => {
  let network: ExchangeNetwork;
  let other: SecondProvider;

  beforeAll(async () => {
    // Two deliveries at once per provider server: the slow one's queue backs up.
    network = await startNetwork({ env: { ORTOO_DELIVERY_CONCURRENCY: '2' } });
    other = await addSecondProvider(network);
  });
  afterAll(async () => {
    await network.provider.stop(); // cuts off its slow deliveries, so closing need not wait for them
    await network.close();
  });

  it('does not delay another provider’s traffic', async () => {
    const slow = network.provider;
    slow.delay(SLOW_MS);
    const slowIds: string[] = [];
    for (let i = 0; i < 6; i += 1) {
      const message = network.sign();
      expect((await network.post(message, { prefer: 'respond-async' })).status).toBe(202);
      slowIds.push(message.envelope.id);
    }
    // Both of its deliveries in progress, four more waiting behind them.
    await eventually('the slow provider to be busy', () => (slow.received.length >= 2 ? true : undefined));
    const busySince = performance.now();

    for (let i = 0; i < 3; i += 1) {
      const message = network.sign({ service: other.service });
      const started = performance.now();
      const answer = await network.post(message);
      const roundTrip = performance.now() - started;
      expect(answer.status).toBe(200);
      expect((answer.body as SignedMessage<ResponseEnvelope>).body).toEqual(personAnswer('УБ99010112'));
      expect(roundTrip).toBeLessThan(QUICK_MS);
    }
    expect(other.endpoint.received).toHaveLength(3);

    // All that while, the slow provider had not finished a single delivery.
    expect(performance.now() - busySince).toBeLessThan(SLOW_MS);
    const states = await Promise.all(slowIds.map(async (id) => (await statusOf(network, id)).state));
    expect(states).not.toContain('delivered');
    expect(states.filter((state) => state === 'delivering')).toHaveLength(2);
    expect(slow.received).toHaveLength(2);
  });
});
