import type { Express } from 'express';
import request from 'supertest';
import { OrtooError } from '../../../core/src';
import { createApp } from '../../../gateway/src/app';
import type { DeliveryJobData } from '../../../gateway/src/delivery/delivery-job';
import type { DeliveryWorkers } from '../../../gateway/src/delivery/delivery-workers';
import { deadLettersRouter } from '../../../gateway/src/routes/dead-letters';
import { startGateway, type GatewayHarness } from '../../helpers/gateway-harness';
import {
  CLIENT,
  FAST_RETRIES,
  PROVIDER_A,
  PROVIDER_B,
  SERVICE,
  answerTo,
  deliveryData,
  startDelivery,
  type DeliveryKit,
} from './delivery-kit';

/** `/v1/dead-letters/<server as four segments>/<id>`. */
const letterPath = (server: string, id: string) => `/v1/dead-letters/${server}/${id}`;

describe('the dead letters admin API', () => {
  let gateway: GatewayHarness;
  let kit: DeliveryKit;
  let app: Express;
  let workers: DeliveryWorkers;
  /** Providers that fail for now, and the messages delivered since they were fixed. */
  const broken = new Set([PROVIDER_A, PROVIDER_B]);
  const delivered: string[] = [];
  /** Dead letters made in beforeAll: two on A, one on B. */
  const dead: DeliveryJobData[] = [];

  beforeAll(async () => {
    gateway = await startGateway('pglite');
    kit = await startDelivery();
    app = createApp(gateway.deps, [deadLettersRouter(kit.queues)]);
    workers = kit.workers(async ({ data }) => {
      const { message, providerServerId } = data as DeliveryJobData;
      if (broken.has(providerServerId)) throw new OrtooError('InvalidAnswer', 'Bad signature');
      delivered.push(message.envelope.id);
      return answerTo(message);
    });
    await workers.ensure([PROVIDER_A, PROVIDER_B]);
    for (const provider of [PROVIDER_A, PROVIDER_B, PROVIDER_A]) {
      const data = deliveryData(provider);
      const done = kit.notifier.waitFor(data.message.envelope.id, 5000);
      await kit.queues.enqueue(data, FAST_RETRIES);
      expect(await done).toBe('dead-lettered');
      dead.push(data);
    }
  });
  afterAll(async () => {
    await kit.close();
    await gateway.close();
  });

  const idOf = (data: DeliveryJobData) => data.message.envelope.id;

  it('lists dead letters by server, then time, to admins and auditors, without bodies', async () => {
    const [a1, b1, a2] = dead as [DeliveryJobData, DeliveryJobData, DeliveryJobData];
    const res = await request(app).get('/v1/dead-letters').set('Authorization', gateway.auditor).expect(200);
    // PROVIDER_B (MN/COM/…) sorts before PROVIDER_A (MN/GOV/…).
    expect(res.body.items.map((letter: { id: string }) => letter.id)).toEqual([idOf(b1), idOf(a1), idOf(a2)]);
    expect(res.body.items[1]).toEqual({
      id: idOf(a1),
      kind: 'deliver',
      serverId: PROVIDER_A,
      client: CLIENT,
      service: SERVICE,
      failedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) as unknown,
      attempts: 1,
      reason: { type: 'Server.ServerProxy.InvalidAnswer', message: 'Bad signature' },
    });
    expect(res.body.nextCursor).toBeUndefined();
    expect(JSON.stringify(res.body)).not.toContain('registerNumber');
  });

  it('pages with limit and cursor, and filters by server', async () => {
    const [a1, b1, a2] = dead as [DeliveryJobData, DeliveryJobData, DeliveryJobData];
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const res = await request(app)
        .get('/v1/dead-letters')
        .query({ limit: 1, ...(cursor === undefined ? {} : { cursor }) })
        .set('Authorization', gateway.admin)
        .expect(200);
      seen.push(...res.body.items.map((letter: { id: string }) => letter.id));
      cursor = res.body.nextCursor;
    } while (cursor !== undefined);
    expect(seen).toEqual([idOf(b1), idOf(a1), idOf(a2)]);

    const onA = await request(app)
      .get('/v1/dead-letters')
      .query({ server: PROVIDER_A })
      .set('Authorization', gateway.admin)
      .expect(200);
    expect(onA.body.items.map((letter: { id: string }) => letter.id)).toEqual([idOf(a1), idOf(a2)]);
  });

  it('refuses a bad server id, a bad cursor and a bad kind', async () => {
    const get = (path: string, query: Record<string, string>) =>
      request(app).get(path).query(query).set('Authorization', gateway.admin);
    expect((await get('/v1/dead-letters', { server: 'MN/GOV' }).expect(400)).body.type).toBe(
      'Client.InvalidIdentifier',
    );
    const cursor = Buffer.from('not a cursor').toString('base64url');
    expect((await get('/v1/dead-letters', { cursor }).expect(400)).body.type).toBe('Client.BadRequest');
    expect((await get(letterPath(PROVIDER_A, idOf(dead[0]!)), { kind: 'other' }).expect(400)).body.type).toBe(
      'Client.BadRequest',
    );
  });

  it('shows one dead letter, and 404 for a message that is not dead', async () => {
    const [a1] = dead as [DeliveryJobData];
    const res = await request(app)
      .get(letterPath(PROVIDER_A, idOf(a1)))
      .set('Authorization', gateway.auditor)
      .expect(200);
    expect(res.body).toMatchObject({ id: idOf(a1), serverId: PROVIDER_A, kind: 'deliver' });
    await request(app)
      .get(letterPath(PROVIDER_B, idOf(a1)))
      .set('Authorization', gateway.admin)
      .expect(404);
    await request(app)
      .get(letterPath(PROVIDER_A, idOf(a1)))
      .query({ kind: 'callback' })
      .set('Authorization', gateway.admin)
      .expect(404);
    await request(app).get(letterPath(PROVIDER_A, 'x~y')).set('Authorization', gateway.admin).expect(404);
  });

  it('needs a token to list, and the admin role to replay', async () => {
    const [a1] = dead as [DeliveryJobData];
    await request(app).get('/v1/dead-letters').expect(401);
    const refused = await request(app)
      .post(`${letterPath(PROVIDER_A, idOf(a1))}/replay`)
      .set('Authorization', gateway.auditor)
      .expect(403);
    expect(refused.body.type).toBe('Client.Forbidden');
  });

  it('replays a dead letter once its provider is fixed, audited with the admin as actor', async () => {
    const [a1] = dead as [DeliveryJobData];
    const id = idOf(a1);
    broken.delete(PROVIDER_A);
    const done = kit.notifier.waitFor(id, 5000);
    const res = await request(app)
      .post(`${letterPath(PROVIDER_A, id)}/replay`)
      .set('Authorization', gateway.admin)
      .expect(202);
    expect(res.body).toEqual({ id, kind: 'deliver', serverId: PROVIDER_A, state: 'queued' });
    await expect(done).resolves.toBe('delivered');
    expect(delivered).toEqual([id]);

    const rows = await gateway.store.query<Record<string, unknown>>(
      "SELECT outcome, actor, message_id, client, service, security_server, detail FROM audit_log WHERE event = 'dead-letter.replayed'",
    );
    expect(rows).toEqual([
      {
        outcome: 'ok',
        actor: 'test-admin',
        message_id: id,
        client: CLIENT,
        service: SERVICE,
        security_server: PROVIDER_A,
        detail: {
          kind: 'deliver',
          attempts: 1,
          failedAt: expect.any(String) as unknown,
          reason: 'Server.ServerProxy.InvalidAnswer',
        },
      },
    ]);

    // No longer dead: neither shown nor replayed again.
    await request(app)
      .post(`${letterPath(PROVIDER_A, id)}/replay`)
      .set('Authorization', gateway.admin)
      .expect(404);
    const left = await request(app).get('/v1/dead-letters').set('Authorization', gateway.admin).expect(200);
    expect(left.body.items.map((letter: { id: string }) => letter.id)).not.toContain(id);
  });
});
