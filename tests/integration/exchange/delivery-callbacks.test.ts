/**
 * Callback delivery (`Prefer: respond-async, ortoo-callback`): the gateway
 * POSTs the provider's signed answer to the consumer's security server at
 * `/v1/answers`, over mutual TLS, retrying when that server refuses it.
 */
import { verifyAnswer } from '../../../core/src';
import { PROVIDER, personAnswer, type ExchangeNetwork } from '../../helpers/exchange-network';
import type { ProviderEndpoint } from '../../helpers/provider-endpoint';
import { memberOf } from '../../helpers/registry-fixtures';
import { eventually, sleep, startConsumerEndpoint, startNetwork, untilState } from './delivery-support';

describe('an async call asking for a callback', () => {
  let network: ExchangeNetwork;
  let consumerServer: ProviderEndpoint;

  beforeAll(async () => {
    network = await startNetwork();
    consumerServer = await startConsumerEndpoint(network);
  });
  afterAll(async () => {
    await consumerServer.close();
    await network.close();
  });
  beforeEach(() => {
    consumerServer.reset();
  });

  it('hands the provider’s signed answer to the consumer’s server', async () => {
    const message = network.sign();
    const { id } = message.envelope;
    const accepted = await network.post(message, { prefer: 'respond-async, ortoo-callback' });
    expect(accepted.status).toBe(202);
    expect(accepted.body).toEqual({ id, status: 'queued', statusUrl: `/v1/exchange/${id}` });

    const [answer] = await eventually('the callback', () =>
      consumerServer.callbacks.some((callback) => callback.envelope.id === id)
        ? consumerServer.callbacks.filter((callback) => callback.envelope.id === id)
        : undefined,
    );
    // The very answer the provider signed, verifiable by the consumer against the global configuration.
    const status = await untilState(network, id, 'delivered');
    expect(answer).toEqual(status.answer);
    const index = await network.runtime.routing.current();
    expect(verifyAnswer(index, answer, message, memberOf(PROVIDER.serverId)).body).toEqual(
      personAnswer('УБ99010112'),
    );
    await sleep(100); // a repeat would arrive now
    expect(consumerServer.callbacks.filter((callback) => callback.envelope.id === id)).toHaveLength(1);
  });

  it('sends no callback unless asked', async () => {
    const message = network.sign();
    await network.post(message, { prefer: 'respond-async' });
    await untilState(network, message.envelope.id, 'delivered');
    await sleep(200);
    expect(consumerServer.callbacks.map((callback) => callback.envelope.id)).not.toContain(
      message.envelope.id,
    );
  });

  it('hands the answer again when the consumer’s server refused it', async () => {
    consumerServer.failCallbackTimes(1, 503);
    const message = network.sign();
    const { id } = message.envelope;
    await network.post(message, { prefer: 'respond-async, ortoo-callback' });
    // The callback policy's first backoff is about a second.
    const callbacks = await eventually(
      'the callback to be retried',
      () => {
        const mine = consumerServer.callbacks.filter((callback) => callback.envelope.id === id);
        return mine.length >= 2 ? mine : undefined;
      },
      { timeoutMs: 5000 },
    );
    expect(callbacks[1]).toEqual(callbacks[0]);
    await sleep(200);
    expect(consumerServer.callbacks.filter((callback) => callback.envelope.id === id)).toHaveLength(2);
  });
});
