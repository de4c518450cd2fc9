import request from 'supertest';
import { STORE_ENGINES } from '../../helpers/store-engines';
import { startGateway, type GatewayHarness } from '../../helpers/gateway-harness';
import { expectNoChange, expectRecordedChange, listEveryPage } from '../../helpers/registry-assertions';
import { STANDARD_MEMBERS, insertSubsystems, seedStandardMembers } from '../../helpers/registry-fixtures';

const REGISTRY = `${STANDARD_MEMBERS.registry.id}/civil-registry`;
const PORTAL = `${STANDARD_MEMBERS.nation.id}/portal`;
const SHOP = `${STANDARD_MEMBERS.revoked.id}/shop`;

describe.each(STORE_ENGINES)('global groups on %s', (engine) => {
  let gateway: GatewayHarness;

  beforeAll(async () => {
    gateway = await startGateway(engine);
    await seedStandardMembers(gateway.store);
    await insertSubsystems(gateway.store, [REGISTRY, PORTAL, SHOP]);
  });
  afterAll(() => gateway.close());

  const api = () => request(gateway.app);
  const create = (body: object) => api().post('/v1/groups').set('Authorization', gateway.admin).send(body);
  const path = (id: string) => `/v1/groups/${id}`;
  const addMember = (group: string, subsystemId: string) =>
    api()
      .post(`${path(group)}/members`)
      .set('Authorization', gateway.admin)
      .send({ subsystemId });

  it('creates an empty group and reads it back', async () => {
    await expectRecordedChange(gateway, 'groups.create', 'MN/health-agencies', async () => {
      const res = await create({
        id: 'MN/health-agencies',
        description: 'Эрүүл мэндийн байгууллагууд',
      }).expect(201);
      expect(res.body).toEqual({
        id: 'MN/health-agencies',
        instance: 'MN',
        groupCode: 'health-agencies',
        description: 'Эрүүл мэндийн байгууллагууд',
        members: [],
        createdAt: expect.any(String),
      });
    });
    const read = await api()
      .get(path('MN/health-agencies'))
      .set('Authorization', gateway.auditor)
      .expect(200);
    expect(read.body.description).toBe('Эрүүл мэндийн байгууллагууд');
  });

  it('answers a repeated create with the same body with 200, and another description with 409', async () => {
    const first = await create({ id: 'MN/tax-agencies' }).expect(201);
    expect(first.body.description).toBe('');
    await expectNoChange(gateway, async () => {
      expect((await create({ id: 'MN/tax-agencies' }).expect(200)).body).toEqual(first.body);
      expect((await create({ id: 'MN/tax-agencies', description: 'other' }).expect(409)).body.type).toBe(
        'Client.Conflict',
      );
    });
  });

  it('refuses a group of another instance with 400', async () => {
    const res = await create({ id: 'EE/health-agencies' }).expect(400);
    expect(res.body.message).toContain('instance MN');
  });

  it.each([
    ['a three-part id', { id: 'MN/GOV/health' }, '/id'],
    ['a dots-only group code', { id: 'MN/..' }, '/id'],
    ['a missing id', { description: 'x' }, '/id'],
    ['a description that is not a string', { id: 'MN/x', description: 1 }, '/description'],
    ['an unknown field', { id: 'MN/x', members: [] }, '/members'],
  ])('refuses a body with %s with 400 and the JSON pointer of the field', async (_what, body, pointer) => {
    const res = await create(body).expect(400);
    expect(res.body.type).toBe('Client.SchemaViolation');
    expect(res.body.detail.errors).toEqual(expect.arrayContaining([expect.objectContaining({ pointer })]));
  });

  it('adds subsystems once each and lists them in order, recording each addition', async () => {
    const group = 'MN/e-services';
    await create({ id: group }).expect(201);
    await expectRecordedChange(
      gateway,
      'groups.add-member',
      group,
      async () => {
        const res = await addMember(group, PORTAL).expect(201);
        expect(res.body.members).toEqual([PORTAL]);
      },
      { subsystemId: PORTAL },
    );
    await addMember(group, REGISTRY).expect(201);
    await expectNoChange(gateway, async () => {
      const again = await addMember(group, PORTAL).expect(200);
      expect(again.body.members).toEqual([REGISTRY, PORTAL].sort());
    });
    const read = await api().get(path(group)).set('Authorization', gateway.admin).expect(200);
    expect(read.body.members).toEqual([REGISTRY, PORTAL].sort());
  });

  it('refuses to add a subsystem that does not exist, or to a group that does not exist, with 404', async () => {
    await create({ id: 'MN/strict' }).expect(201);
    await expectNoChange(gateway, async () => {
      const noSubsystem = await addMember('MN/strict', 'MN/GOV/9011311/ghost').expect(404);
      expect(noSubsystem.body.message).toBe('No subsystem MN/GOV/9011311/ghost');
      const noGroup = await addMember('MN/ghost-group', PORTAL).expect(404);
      expect(noGroup.body.message).toBe('No global group MN/ghost-group');
    });
    const bad = await api()
      .post(`${path('MN/strict')}/members`)
      .set('Authorization', gateway.admin)
      .send({ subsystemId: 'MN/GOV/9011311' })
      .expect(400);
    expect(bad.body.detail.errors[0].pointer).toBe('/subsystemId');
  });

  it('refuses to add a subsystem of a revoked member with 409', async () => {
    await create({ id: 'MN/no-revoked' }).expect(201);
    const res = await addMember('MN/no-revoked', SHOP).expect(409);
    expect(res.body.message).toContain('revoked');
  });

  it('takes a subsystem out of a group, and answers 404 when it is not in it', async () => {
    const group = 'MN/shrinking';
    await create({ id: group }).expect(201);
    await addMember(group, REGISTRY).expect(201);
    await expectRecordedChange(
      gateway,
      'groups.remove-member',
      group,
      () =>
        api()
          .delete(`${path(group)}/members/${REGISTRY}`)
          .set('Authorization', gateway.admin)
          .expect(204),
      { subsystemId: REGISTRY },
    );
    const read = await api().get(path(group)).set('Authorization', gateway.admin).expect(200);
    expect(read.body.members).toEqual([]);
    const again = await api()
      .delete(`${path(group)}/members/${REGISTRY}`)
      .set('Authorization', gateway.admin)
      .expect(404);
    expect(again.body.message).toBe(`Subsystem ${REGISTRY} is not in group ${group}`);
  });

  it('deletes a group with its memberships and the access rights granted to it, recording how many went', async () => {
    const group = 'MN/doomed';
    await create({ id: group }).expect(201);
    await addMember(group, PORTAL).expect(201);
    await gateway.store.query(
      "INSERT INTO access_rights (service_id, group_id) VALUES ('MN/GOV/1/a/b', $1)",
      [group],
    );
    await expectRecordedChange(
      gateway,
      'groups.delete',
      group,
      () => api().delete(path(group)).set('Authorization', gateway.admin).expect(204),
      { members: [PORTAL], removedAccessRights: 1 },
    );
    await api().get(path(group)).set('Authorization', gateway.admin).expect(404);
    const left = await gateway.store.query('SELECT 1 FROM access_rights WHERE group_id = $1', [group]);
    expect(left).toHaveLength(0);
  });

  it('answers 404 for a group that does not exist', async () => {
    for (const attempt of [api().get(path('MN/ghost-group')), api().delete(path('MN/ghost-group'))]) {
      const res = await attempt.set('Authorization', gateway.admin).expect(404);
      expect(res.body.type).toBe('Client.NotFound');
    }
    await api().get(path('MN/..')).set('Authorization', gateway.admin).expect(400);
  });

  it('lists groups in pages that visit every group exactly once', async () => {
    await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        create({ id: `MN/page-${String(i).padStart(2, '0')}` }).expect(201),
      ),
    );
    const all = await gateway.store.query<{ id: string }>('SELECT id FROM global_groups');
    const { ids: seen, pages } = await listEveryPage(
      (query) => api().get('/v1/groups').query(query).set('Authorization', gateway.auditor),
      { limit: 10 },
      20,
    );
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort()).toEqual(all.map((row) => row.id).sort());
    expect(pages).toBe(Math.ceil(all.length / 10));
  });

  it('lets an auditor read but refuses every change with 403', async () => {
    const group = 'MN/audited';
    await create({ id: group }).expect(201);
    await addMember(group, PORTAL).expect(201);
    await api().get('/v1/groups').set('Authorization', gateway.auditor).expect(200);
    await expectNoChange(gateway, async () => {
      const attempts = [
        api().post('/v1/groups').send({ id: 'MN/nope' }),
        api().delete(path(group)),
        api()
          .post(`${path(group)}/members`)
          .send({ subsystemId: REGISTRY }),
        api().delete(`${path(group)}/members/${PORTAL}`),
      ];
      for (const attempt of attempts) {
        const res = await attempt.set('Authorization', gateway.auditor).expect(403);
        expect(res.body.type).toBe('Client.Forbidden');
      }
    });
    const read = await api().get(path(group)).set('Authorization', gateway.admin).expect(200);
    expect(read.body.members).toEqual([PORTAL]);
  });
});
