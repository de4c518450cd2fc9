/**
 * What the delivery fault tests share: bounded polling of a message's status,
 * the civil registry's answers, a second provider member with its own
 * server, an endpoint for the consumer's server (to take callbacks), and the
 * dead-letters admin API mounted on its own app.
 */
import type { Express } from 'express';
import request from 'supertest';
import { parseServiceId } from '../../../core/src';
import { createApp } from '../../../gateway/src/app';
import type { ExchangeState, ExchangeStatus } from '../../../gateway/src/delivery/delivery-job';
import { insertAccessRight } from '../../../gateway/src/registry/access-right-repository';
import { bumpRegistryVersion } from '../../../gateway/src/registry/registry-version';
import { insertService } from '../../../gateway/src/registry/service-repository';
import { deadLettersRouter } from '../../../gateway/src/routes/dead-letters';
import {
  CONSUMER,
  personAnswer,
  serviceSettings,
  startExchangeNetwork,
  type ExchangeNetwork,
  type ExchangeNetworkOptions,
} from '../../helpers/exchange-network';
import { eventually } from '../../helpers/eventually';
import { ProviderEndpoint, type ProviderResponder } from '../../helpers/provider-endpoint';
import { insertMembers, insertSubsystems } from '../../helpers/registry-fixtures';

/**
 * {@link startExchangeNetwork}, returning once its exchange listener can take
 * messages: until the router's Redis connections are up, a message is refused
 * with 503 `QueueUnavailable` (the replay guard does not wait for its
 * connection, as the delivery queues do). A status query for an unknown id
 * goes through the replay guard: 404 means it is ready.
 */
export async function startNetwork(options: ExchangeNetworkOptions = {}): Promise<ExchangeNetwork> {
  const network = await startExchangeNetwork(options);
  try {
    await eventually('the exchange listener to be ready', async () =>
      (await network.get('/v1/exchange/warm-up')).status === 404 ? true : undefined,
    );
  } catch (error) {
    await network.close();
    throw error;
  }
  return network;
}

/** A message's status, as its consumer's server asks for it on the exchange listener. */
export async function statusOf(network: ExchangeNetwork, id: string): Promise<ExchangeStatus> {
  const answer = await network.get(`/v1/exchange/${id}`);
  if (answer.status !== 200) {
    throw new Error(`GET /v1/exchange/${id} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  }
  return answer.body as ExchangeStatus;
}

/**
 * Polls a message's status until it is `state` (or `timeoutMs` passed) and
 * returns it, read once more after the state was reached: a status read while
 * the delivery ends can show the new state with the old facts (see
 * `delivery-status.test.ts`), and these tests are about the facts.
 */
export async function untilState(
  network: ExchangeNetwork,
  id: string,
  state: ExchangeState,
  timeoutMs = 5000,
): Promise<ExchangeStatus> {
  let last: ExchangeStatus | undefined;
  try {
    await eventually(
      `message ${id} to be ${state}`,
      async () => {
        last = await statusOf(network, id);
        return last.state === state ? last : undefined;
      },
      { timeoutMs },
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}; last status ${JSON.stringify(last)}`, { cause: error });
  }
  return statusOf(network, id);
}

/** Polls until every message is `state`; returns their statuses in the order of `ids`. */
export async function untilAll(
  network: ExchangeNetwork,
  ids: readonly string[],
  state: ExchangeState,
  timeoutMs = 10_000,
): Promise<ExchangeStatus[]> {
  const deadline = Date.now() + timeoutMs;
  const statuses: ExchangeStatus[] = [];
  for (const id of ids) {
    statuses.push(await untilState(network, id, state, Math.max(deadline - Date.now(), 100)));
  }
  return statuses;
}

/** Submits `count` fresh messages with `Prefer: respond-async`; their ids. */
export async function submitAsync(network: ExchangeNetwork, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const message = network.sign();
    const accepted = await network.post(message, { prefer: 'respond-async' });
    expect(accepted).toMatchObject({ status: 202, body: { status: 'queued' } });
    ids.push(message.envelope.id);
  }
  return ids;
}

/** How many times `id` is in `list`. */
export function countOf(list: readonly string[], id: string): number {
  return list.filter((item) => item === id).length;
}

/** The civil registry's backend: answers every lookup with the citizen (per the response schema). */
export const personResponder: ProviderResponder = (message) => {
  const body = message.body as { registerNumber: string };
  return {
    status: 200,
    body: { contentType: 'application/json', json: personAnswer(body.registerNumber) },
  };
};

/** A second provider: another member, with its own subsystem, service and security server. */
export interface SecondProvider {
  readonly memberId: string;
  readonly serverId: string;
  readonly service: string;
  readonly endpoint: ProviderEndpoint;
}

/**
 * Registers the General Department of Taxation as a member providing a
 * taxpayer lookup (the person schemas) that the consumer may call, and starts
 * its security server answering it.
 */
export async function addSecondProvider(network: ExchangeNetwork): Promise<SecondProvider> {
  const memberId = 'MN/GOV/2000501';
  const subsystem = `${memberId}/taxpayers`;
  const service = `${subsystem}/taxpayer`;
  const { store } = network.gateway;
  await store.transaction(async (tx) => {
    await insertMembers(tx, [{ id: memberId, name: 'Татварын ерөнхий газар' }]);
    await insertSubsystems(tx, [subsystem]);
    await insertService(tx, parseServiceId(service), 'v1', serviceSettings({ title: 'Татвар төлөгч' }));
    await insertAccessRight(tx, service, { clientId: CONSUMER.client });
    await bumpRegistryVersion(tx);
  });
  const serverId = `${memberId}/ss1`;
  const { endpoint } = await network.addProvider(serverId);
  endpoint.respond(personResponder);
  return { memberId, serverId, service, endpoint };
}

/**
 * Starts a server for the consumer's identity (it takes answers on
 * `POST /v1/answers`) and registers its address, so callbacks reach it.
 * The caller closes it.
 */
export async function startConsumerEndpoint(network: ExchangeNetwork): Promise<ProviderEndpoint> {
  const { deps, store } = network.gateway;
  const endpoint = await ProviderEndpoint.start({
    identity: network.consumer,
    caPem: [deps.trust.ca.certificate.pem],
    clientThumbprints: [deps.trust.tls.certificate.thumbprint],
  });
  await store.query('UPDATE security_servers SET address = $2 WHERE id = $1', [
    CONSUMER.serverId,
    endpoint.address,
  ]);
  await bumpRegistryVersion(store);
  deps.globalConf.noteChange();
  return endpoint;
}

/** The gateway's admin app with the dead-letters API mounted, for supertest. */
export function deadLettersApp(network: ExchangeNetwork): Express {
  return createApp(network.gateway.deps, [deadLettersRouter(network.runtime.queues)]);
}

/** `POST /v1/dead-letters/<server>/<id>/replay` as the admin. */
export function replay(app: Express, network: ExchangeNetwork, serverId: string, id: string) {
  return request(app)
    .post(`/v1/dead-letters/${serverId}/${id}/replay`)
    .set('Authorization', network.gateway.admin);
}

/** `GET /v1/dead-letters?server=<server>` as the admin. */
export function listDeadLetters(app: Express, network: ExchangeNetwork, serverId: string) {
  return request(app)
    .get('/v1/dead-letters')
    .query({ server: serverId })
    .set('Authorization', network.gateway.admin);
}

export { eventually, sleep, type EventuallyOptions } from '../../helpers/eventually';
