import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OrtooError } from '../../../core/src';
import { createApp } from '../../../gateway/src/app';
import type { DeliveryJobData } from '../../../gateway/src/delivery/delivery-job';
import { deadLettersRouter } from '../../../gateway/src/routes/dead-letters';
import { runOrtoo, type CliRun } from '../../helpers/cli-runner';
import { startGateway, type GatewayHarness } from '../../helpers/gateway-harness';
import {
  FAST_RETRIES,
  PROVIDER_A,
  PROVIDER_B,
  SERVICE,
  answerTo,
  deliveryData,
  startDelivery,
  type DeliveryKit,
} from './delivery-kit';

/** `ortoo admin dead-letters …` against a gateway with the dead letters' router, listening on a free port. */
describe('ortoo admin dead-letters', () => {
  let gateway: GatewayHarness;
  let kit: DeliveryKit;
  let server: Server;
  let env: NodeJS.ProcessEnv;
  let auditorEnv: NodeJS.ProcessEnv;
  let fixed = false;
  const dead: DeliveryJobData[] = [];

  const ortoo = (args: readonly string[]): Promise<CliRun> =>
    runOrtoo(['admin', 'dead-letters', ...args], env);
  const idOf = (data: DeliveryJobData) => data.message.envelope.id;

  beforeAll(async () => {
    gateway = await startGateway('pglite');
    kit = await startDelivery();
    const app = createApp(gateway.deps, [deadLettersRouter(kit.queues)]);
    server = await new Promise((resolve, reject) => {
      const listening = app.listen(0, '127.0.0.1', (error?: Error) =>
        error === undefined ? resolve(listening) : reject(error),
      );
    });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const tokenOf = (authorization: string) => authorization.replace(/^Bearer /, '');
    env = { ORTOO_URL: url, ORTOO_TOKEN: tokenOf(gateway.admin) };
    auditorEnv = { ORTOO_URL: url, ORTOO_TOKEN: tokenOf(gateway.auditor) };

    await kit
      .workers(async ({ data }) => {
        if (!fixed) throw new OrtooError('BackendUnavailable', 'Down for maintenance');
        return answerTo((data as DeliveryJobData).message);
      })
      .ensure([PROVIDER_A, PROVIDER_B]);
    for (const provider of [PROVIDER_A, PROVIDER_B]) {
      const data = deliveryData(provider);
      const done = kit.notifier.waitFor(idOf(data), 5000);
      await kit.queues.enqueue(data, { ...FAST_RETRIES, maxAttempts: 2 });
      expect(await done).toBe('dead-lettered');
      dead.push(data);
    }
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await kit.close();
    await gateway.close();
  });

  it('lists dead letters as a table, or as JSON, and by server', async () => {
    const [onA, onB] = dead as [DeliveryJobData, DeliveryJobData];
    const table = await ortoo(['list']);
    expect(table).toMatchObject({ code: 0, stderr: '' });
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+KIND\s+SERVER\s+SERVICE\s+FAILED\s+ATTEMPTS\s+REASON$/);
    expect(lines.slice(1).map((line) => line.split(/\s+/)[0])).toEqual([idOf(onB), idOf(onA)]);
    expect(lines[2]).toContain(`deliver  ${PROVIDER_A}  ${SERVICE}`);
    expect(lines[2]).toMatch(/\s2\s+Server\.ServerProxy\.NetworkError$/);

    const json = await runOrtoo(
      ['admin', 'dead-letters', 'list', '--server', PROVIDER_A, '--json'],
      auditorEnv,
    );
    expect(json).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(json.stdout)).toEqual({
      items: [expect.objectContaining({ id: idOf(onA), serverId: PROVIDER_A, attempts: 2 })],
    });

    const paged = await ortoo(['list', '--limit', '1']);
    expect(paged.stdout).toMatch(/^More dead letters: add --cursor \S+$/m);
  });

  it('shows one dead letter, and says so when there is none', async () => {
    const [onA] = dead as [DeliveryJobData];
    const shown = await ortoo(['show', PROVIDER_A, idOf(onA)]);
    expect(shown).toMatchObject({ code: 0, stderr: '' });
    expect(shown.stdout).toMatch(new RegExp(`^id\\s+${idOf(onA)}$`, 'm'));
    expect(shown.stdout).toContain('Down for maintenance');

    const missing = await ortoo(['show', PROVIDER_B, idOf(onA)]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('Client.NotFound: No such dead letter');
  });

  it('refuses a bad server id or message id before calling the gateway', async () => {
    const badServer = await ortoo(['show', 'MN/GOV', 'abc']);
    expect(badServer.code).toBe(2);
    const badId = await ortoo(['replay', PROVIDER_A, 'a/b']);
    expect(badId.code).toBe(2);
    expect(badId.stderr).toContain('expected a message id');
  });

  it('replays a dead letter, as an admin only', async () => {
    const [onA] = dead as [DeliveryJobData];
    const id = idOf(onA);
    const refused = await runOrtoo(['admin', 'dead-letters', 'replay', PROVIDER_A, id], auditorEnv);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('Client.Forbidden');

    fixed = true;
    const done = kit.notifier.waitFor(id, 5000);
    const replayed = await ortoo(['replay', PROVIDER_A, id]);
    expect(replayed).toMatchObject({ code: 0, stderr: '' });
    expect(replayed.stdout).toContain(`Queued message ${id} again for ${PROVIDER_A}.`);
    await expect(done).resolves.toBe('delivered');
    await expect(kit.queues.status(PROVIDER_A, id)).resolves.toMatchObject({ state: 'delivered' });
  });
});
