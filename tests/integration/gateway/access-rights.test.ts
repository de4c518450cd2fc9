import request from 'supertest';
import { GlobalConfIndex, normalizeRequestPath, type GlobalConf, type SqlStore } from '../../../core/src';
import { startGateway, type GatewayHarness } from '../../helpers/gateway-harness';
import { insertGroup, insertMembers, insertSubsystems } from '../../helpers/registry-fixtures';
import { STORE_ENGINES } from '../../helpers/store-engines';

const PROVIDER = 'MN/GOV/9011311/civil-registry';
const PERSON = `${PROVIDER}/person`;
const ADDRESS = `${PROVIDER}/address`;
const PORTAL = 'MN/GOV/9011322/e-services';
const TAX = 'MN/GOV/9011333/tax';
const REVOKED_CLIENT = 'MN/GOV/7000001/archive';
const GROUP = 'MN/health-agencies';

/**
 * Members, subsystems and a global group written straight to the tables:
 * their routes are not under test here.
 */
async function seedRegistry(store: SqlStore): Promise<void> {
  await insertMembers(store, [
    { id: 'MN/GOV/9011311' },
    { id: 'MN/GOV/9011322' },
    { id: 'MN/GOV/9011333' },
    { id: 'MN/GOV/7000001', status: 'revoked' },
  ]);
  await insertSubsystems(store, [PROVIDER, PORTAL, TAX, REVOKED_CLIENT]);
  await insertGroup(store, GROUP);
}

describe.each(STORE_ENGINES)('access rights on %s', (engine) => {
  let gateway: GatewayHarness;

  beforeAll(async () => {
    gateway = await startGateway(engine);
    await seedRegistry(gateway.store);
    for (const [id, version] of [
      [PERSON, 'v1'],
      [PERSON, 'v2'],
      [ADDRESS, 'v1'],
    ] as const) {
      await request(gateway.app)
        .post('/v1/services')
        .set('Authorization', gateway.admin)
        .send({
          id,
          version,
          title: id,
          requestSchema: { type: 'object' },
          responseSchema: { type: 'object' },
        })
        .expect(201);
    }
  });
  afterAll(() => gateway.close());

  const grant = (body: Record<string, unknown>, auth = gateway.admin) =>
    request(gateway.app).post('/v1/access-rights').set('Authorization', auth).send(body);
  const revoke = (id: string, auth = gateway.admin) =>
    request(gateway.app).delete(`/v1/access-rights/${id}`).set('Authorization', auth);
  const list = (query: string, auth = gateway.admin) =>
    request(gateway.app).get(`/v1/access-rights${query}`).set('Authorization', auth);
  const registryVersion = async () =>
    (await gateway.store.query<{ version: number }>('SELECT version FROM registry_state'))[0]?.version ?? 0;
  const lastChange = async () =>
    (
      await gateway.store.query<{ actor: string; detail: Record<string, unknown> }>(
        "SELECT actor, detail FROM audit_log WHERE event = 'admin-change' ORDER BY seq DESC LIMIT 1",
      )
    )[0];

  it('gives a subsystem the right to call a service, bumping the registry version and auditing it', async () => {
    const before = await registryVersion();
    const res = await grant({ serviceId: PERSON, clientId: PORTAL }).expect(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^[1-9][0-9]*$/),
      serviceId: PERSON,
      clientId: PORTAL,
      createdAt: expect.any(String),
    });
    expect(await registryVersion()).toBe(before + 1);
    expect(await lastChange()).toEqual({
      actor: 'test-admin',
      detail: { action: 'access-rights.create', id: res.body.id, serviceId: PERSON, clientId: PORTAL },
    });
  });

  it('answers the same right given again with 200 and the existing one, changing nothing', async () => {
    const first = await grant({ serviceId: ADDRESS, clientId: TAX }).expect(201);
    const before = await registryVersion();
    const again = await grant({ serviceId: ADDRESS, clientId: TAX }).expect(200);
    expect(again.body).toEqual(first.body);
    expect(await registryVersion()).toBe(before);
  });

  it('gives a global group the right to call a service', async () => {
    const res = await grant({ serviceId: ADDRESS, groupId: GROUP }).expect(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      serviceId: ADDRESS,
      groupId: GROUP,
      createdAt: expect.any(String),
    });
    expect((await grant({ serviceId: ADDRESS, groupId: GROUP }).expect(200)).body.id).toBe(res.body.id);
  });

  it('refuses a right to an unknown service, for an unknown subsystem or an unknown group with 404', async () => {
    const noService = await grant({ serviceId: `${PROVIDER}/nothing`, clientId: PORTAL }).expect(404);
    expect(noService.body).toMatchObject({
      type: 'Client.NotFound',
      detail: { serviceId: `${PROVIDER}/nothing` },
    });
    const noClient = await grant({ serviceId: PERSON, clientId: 'MN/GOV/9011322/nobody' }).expect(404);
    expect(noClient.body.message).toContain('MN/GOV/9011322/nobody');
    const noGroup = await grant({ serviceId: PERSON, groupId: 'MN/nobody' }).expect(404);
    expect(noGroup.body.message).toContain('MN/nobody');
  });

  it('refuses a right for a subsystem of a revoked member with 409', async () => {
    const res = await grant({ serviceId: PERSON, clientId: REVOKED_CLIENT }).expect(409);
    expect(res.body.type).toBe('Client.Conflict');
  });

  it('refuses a body with both or neither of clientId and groupId, or malformed ids, with 400', async () => {
    const both = await grant({ serviceId: PERSON, clientId: PORTAL, groupId: GROUP }).expect(400);
    expect(both.body.type).toBe('Client.SchemaViolation');
    const neither = await grant({ serviceId: PERSON }).expect(400);
    expect(neither.body.detail.errors.map((error: { pointer: string }) => error.pointer)).toEqual(
      expect.arrayContaining(['/clientId', '/groupId']),
    );
    const malformed = await grant({ serviceId: PROVIDER, clientId: 'MN/GOV/..', extra: 1 }).expect(400);
    expect(malformed.body.detail.errors.map((error: { pointer: string }) => error.pointer)).toEqual(
      expect.arrayContaining(['/serviceId', '/clientId', '/extra']),
    );
    expect(
      (await grant({ serviceId: PERSON, groupId: 'MN/a/b' }).expect(400)).body.detail.errors[0].pointer,
    ).toBe('/groupId');
  });

  it('lists rights filtered by service, client and group', async () => {
    await grant({ serviceId: PERSON, clientId: TAX }).expect([200, 201]);
    await grant({ serviceId: PERSON, groupId: GROUP }).expect([200, 201]);
    const byService = await list(`?service=${PERSON}`).expect(200);
    expect(byService.body.items.every((right: { serviceId: string }) => right.serviceId === PERSON)).toBe(
      true,
    );
    expect(byService.body.items.length).toBeGreaterThanOrEqual(3);
    const byClient = await list(`?client=${TAX}`).expect(200);
    expect(byClient.body.items.map((right: { serviceId: string }) => right.serviceId).sort()).toEqual([
      ADDRESS,
      PERSON,
    ]);
    const byGroup = await list(`?group=${GROUP}&service=${ADDRESS}`).expect(200);
    expect(byGroup.body.items).toEqual([expect.objectContaining({ serviceId: ADDRESS, groupId: GROUP })]);
    expect((await list('?client=MN/GOV').expect(400)).body.type).toBe('Client.InvalidIdentifier');
    expect((await list('?group=MN').expect(400)).body.type).toBe('Client.InvalidIdentifier');
    expect((await list('?service=MN/GOV/1/a').expect(400)).body.type).toBe('Client.InvalidIdentifier');
  });

  it('lists rights in pages that together hold every right once', async () => {
    const all = (await list('?limit=1000').expect(200)).body.items as { id: string }[];
    expect(all.length).toBeGreaterThanOrEqual(4);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const res = await list(`?limit=2${cursor === undefined ? '' : `&cursor=${cursor}`}`).expect(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.items.map((right: { id: string }) => right.id));
      cursor = res.body.nextCursor;
    } while (cursor !== undefined);
    expect(seen).toEqual(all.map((right) => right.id));
    expect((await list(`?cursor=${Buffer.from('x').toString('base64url')}`).expect(400)).body.type).toBe(
      'Client.BadRequest',
    );
  });

  it('takes a right back by id, and answers an unknown id with 404', async () => {
    const right = (await grant({ serviceId: ADDRESS, clientId: PORTAL }).expect(201)).body as { id: string };
    const before = await registryVersion();
    await revoke(right.id).expect(204);
    expect(await registryVersion()).toBe(before + 1);
    expect((await lastChange())?.detail).toEqual({
      action: 'access-rights.delete',
      id: right.id,
      serviceId: ADDRESS,
      clientId: PORTAL,
    });
    expect((await revoke(right.id).expect(404)).body.type).toBe('Client.NotFound');
    await revoke('not-a-number').expect(404);
    await revoke('99999999999999999999').expect(404);
    expect((await list(`?service=${ADDRESS}&client=${PORTAL}`).expect(200)).body.items).toEqual([]);
  });

  it('keeps a right while any version of its service is left', async () => {
    await request(gateway.app)
      .delete(`/v1/services/${PERSON}/versions/v1`)
      .set('Authorization', gateway.admin)
      .expect(204);
    await grant({ serviceId: PERSON, clientId: PORTAL }).expect(200);
    await request(gateway.app)
      .delete(`/v1/services/${PERSON}/versions/v2`)
      .set('Authorization', gateway.admin)
      .expect(409);
  });

  it('lets an auditor read rights and refuses every change with 403', async () => {
    const items = (await list('', gateway.auditor).expect(200)).body.items as { id: string }[];
    expect((await grant({ serviceId: PERSON, clientId: TAX }, gateway.auditor).expect(403)).body.type).toBe(
      'Client.Forbidden',
    );
    const first = items[0];
    if (first === undefined) throw new Error('expected rights to list');
    await revoke(first.id, gateway.auditor).expect(403);
    expect((await list('').expect(200)).body.items).toEqual(items);
  });

  describe('rights per endpoint', () => {
    const ENDPOINT_CLIENT = 'MN/GOV/9011333/tax';
    const publishedConf = async (): Promise<GlobalConf> => {
      const res = await request(gateway.app).get('/v1/global-conf').expect(200);
      return JSON.parse(
        Buffer.from(JSON.parse(res.text).payload, 'base64url').toString('utf8'),
      ) as GlobalConf;
    };

    it('gives a right to one endpoint, normalised, beside the right to the whole service, and audits it', async () => {
      const res = await grant({
        serviceId: ADDRESS,
        clientId: ENDPOINT_CLIENT,
        endpoint: { method: 'GET', path: '/persons/%7Eme/*' },
      }).expect(201);
      expect(res.body).toEqual({
        id: expect.stringMatching(/^[1-9][0-9]*$/),
        serviceId: ADDRESS,
        clientId: ENDPOINT_CLIENT,
        endpoint: { method: 'GET', path: '/persons/~me/*' },
        createdAt: expect.any(String),
      });
      expect((await lastChange())?.detail).toMatchObject({
        action: 'access-rights.create',
        endpoint: 'GET /persons/~me/*',
      });
      // The same endpoint in another spelling is the same right.
      const again = await grant({
        serviceId: ADDRESS,
        clientId: ENDPOINT_CLIENT,
        endpoint: { method: 'GET', path: '/persons/~me/*' },
      }).expect(200);
      expect(again.body.id).toBe(res.body.id);
      // Another endpoint, or the whole service, is another right.
      await grant({
        serviceId: ADDRESS,
        clientId: ENDPOINT_CLIENT,
        endpoint: { method: '*', path: '/persons/**' },
      }).expect(201);
      await grant({ serviceId: ADDRESS, clientId: ENDPOINT_CLIENT }).expect([200, 201]);
      const rights = (await list(`?service=${ADDRESS}&client=${ENDPOINT_CLIENT}`).expect(200)).body.items;
      const endpoints = rights.map((right: { endpoint?: unknown }) => right.endpoint ?? 'all');
      expect(endpoints).toHaveLength(3);
      expect(endpoints).toEqual(
        expect.arrayContaining([
          'all',
          { method: 'GET', path: '/persons/~me/*' },
          { method: '*', path: '/persons/**' },
        ]),
      );
    });

    it('refuses a method HTTP has not, by the body schema', async () => {
      const res = await grant({
        serviceId: ADDRESS,
        clientId: ENDPOINT_CLIENT,
        endpoint: { method: 'FETCH', path: '/persons' },
      }).expect(400);
      expect(res.body.type).toBe('Client.SchemaViolation');
    });

    it.each([
      ['a traversal', { method: 'GET', path: '/persons/../admin' }],
      ['an encoded traversal', { method: 'GET', path: '/persons/%2e%2e/admin' }],
      ['an encoded separator', { method: 'GET', path: '/persons%2fadmin' }],
      ['a double encoding', { method: 'GET', path: '/persons%252fadmin' }],
      ['a relative path', { method: 'GET', path: 'persons' }],
      ['too many stars', { method: 'GET', path: '/persons/***' }],
    ])('refuses an endpoint with %s with 400, changing nothing', async (_what, endpoint) => {
      const before = await registryVersion();
      const res = await grant({ serviceId: ADDRESS, clientId: ENDPOINT_CLIENT, endpoint }).expect(400);
      expect(res.body.type).toBe('Client.BadRequest');
      expect(await registryVersion()).toBe(before);
    });

    it('publishes endpoint rights in the global configuration, where both sides judge calls by them', async () => {
      const conf = await publishedConf();
      expect(conf.accessRights).toEqual(
        expect.arrayContaining([
          { serviceId: ADDRESS, clientId: ENDPOINT_CLIENT },
          {
            serviceId: ADDRESS,
            clientId: ENDPOINT_CLIENT,
            endpoint: { method: 'GET', path: '/persons/~me/*' },
          },
        ]),
      );
      const withoutWhole = {
        ...conf,
        accessRights: conf.accessRights.filter((right) => right.endpoint !== undefined),
      };
      const index = GlobalConfIndex.from(withoutWhole);
      const may = (method: 'GET' | 'POST', path: string) =>
        index.mayCallEndpoint(ENDPOINT_CLIENT, ADDRESS, method, normalizeRequestPath(path));
      expect(may('GET', '/persons/%7eme/1')).toBe(true);
      expect(may('POST', '/persons/x')).toBe(true);
      expect(may('GET', '/persons%2f..%2fadmin')).toBe(false);
      expect(may('GET', '/admin')).toBe(false);
    });

    it('takes an endpoint right back by id, the audit naming the endpoint', async () => {
      const rights = (await list(`?service=${ADDRESS}&client=${ENDPOINT_CLIENT}`).expect(200)).body.items as {
        id: string;
        endpoint?: unknown;
      }[];
      const star = rights.find((right) => right.endpoint !== undefined);
      if (star === undefined) throw new Error('expected an endpoint right');
      await revoke(star.id).expect(204);
      expect((await lastChange())?.detail).toMatchObject({
        action: 'access-rights.delete',
        endpoint: 'GET /persons/~me/*',
      });
      expect((await publishedConf()).accessRights).not.toContainEqual(
        expect.objectContaining({ endpoint: { method: 'GET', path: '/persons/~me/*' } }),
      );
    });
  });
});
