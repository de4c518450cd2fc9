import type { ResponseEnvelope, SignedMessage } from '../../../core/src';
import { bumpRegistryVersion } from '../../../gateway/src/registry/registry-version';
import { PROVIDER, personAnswer } from '../../helpers/exchange-network';
import { eventually, sleep } from '../../helpers/eventually';
import { startProcessNetwork, type ProcessNetwork } from '../../helpers/process-network';

describe('the gateway as separate processes (the scale-out path)', () => {
  let network: ProcessNetwork;

  beforeAll(async () => {
    network = await startProcessNetwork({ workers: 'separate' });
  }, 120_000);

  afterAll(async () => {
    await network.close();
  }, 60_000);

  it('exchanges through `ortoo gateway start` and a separate `ortoo gateway worker`', async () => {
    const message = network.sign();
    const answer = await network.post(message);
    expect(answer.status).toBe(200);
    expect((answer.body as SignedMessage<ResponseEnvelope>).body).toEqual(personAnswer('УБ99010112'));
  });

  it('lets a worker be probed and scraped like a gateway', async () => {
    const url = network.opsUrlOf(network.workers[0] as (typeof network.workers)[number]);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    expect(await (await fetch(`${url}/metrics`)).text()).toContain('ortoo_gateway_deliveries_total');
  });

  it('delivers every message a killed gateway accepted, once, when a worker comes', async () => {
    await network.stopWorkers();
    const messages = Array.from({ length: 20 }, () => network.sign());
    for (const message of messages) {
      expect((await network.post(message, { prefer: 'respond-async' })).status).toBe(202);
    }
    network.gateway.kill('SIGKILL');
    await network.startWorker();
    const ids = messages.map((message) => message.envelope.id);
    await eventually(
      'every message at the provider',
      () => (ids.every((id) => network.provider.received.includes(id)) ? true : undefined),
      { timeoutMs: 20_000, intervalMs: 50 },
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    for (const id of ids) expect(network.provider.received.filter((seen) => seen === id)).toHaveLength(1);
  }, 60_000);
});

describe('a delivery worker process', () => {
  let network: ProcessNetwork;

  beforeAll(async () => {
    network = await startProcessNetwork({ workers: 'separate' });
  }, 120_000);

  afterAll(async () => {
    await network.close();
  }, 60_000);

  it('works the queue of a provider server registered after it started, with no other traffic', async () => {
    const { endpoint } = await network.addProvider('MN/GOV/9011311/ss2');
    // The provider's first server leaves: the worker's only queue goes quiet, all traffic goes to ss2.
    await network.store.query("UPDATE security_servers SET status = 'revoked' WHERE id = $1", [
      PROVIDER.serverId,
    ]);
    await bumpRegistryVersion(network.store);
    await sleep(1500); // the gateway's and the worker's registry refresh (1 s)
    const messages = Array.from({ length: 5 }, () => network.sign());
    for (const message of messages) {
      expect((await network.post(message, { prefer: 'respond-async' })).status).toBe(202);
    }
    const ids = messages.map((message) => message.envelope.id);
    await eventually(
      'every message at the new server',
      () => (ids.every((id) => endpoint.received.includes(id)) ? true : undefined),
      { timeoutMs: 10_000, intervalMs: 50 },
    );
  }, 30_000);
});
