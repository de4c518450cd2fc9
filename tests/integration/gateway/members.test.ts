import request from 'supertest';
import { STORE_ENGINES } from '../../helpers/store-engines';
import { startGateway, type GatewayHarness } from '../../helpers/gateway-harness';
import { expectNoChange, expectRecordedChange, listEveryPage } from '../../helpers/registry-assertions';
import { insertCertificate, insertSecurityServers, insertSubsystems } from '../../helpers/registry-fixtures';

const MONGOLIAN_NAME = 'Улсын бүртгэлийн ерөнхий газар';

describe.each(STORE_ENGINES)('members on %s', (engine) => {
  let gateway: GatewayHarness;

  beforeAll(async () => {
    gateway = await startGateway(engine);
  });
  afterAll(() => gateway.close());

  const api = () => request(gateway.app);
  const create = (body: object) => api().post('/v1/members').set('Authorization', gateway.admin).send(body);
  const path = (id: string) => `/v1/members/${id}`;

  it('registers a member with a Cyrillic name and gives the name back exactly', async () => {
    await expectRecordedChange(gateway, 'members.create', 'MN/GOV/9011311', async () => {
      const res = await create({ id: 'MN/GOV/9011311', name: MONGOLIAN_NAME }).expect(201);
      expect(res.body).toEqual({
        id: 'MN/GOV/9011311',
        instance: 'MN',
        memberClass: 'GOV',
        memberCode: '9011311',
        name: MONGOLIAN_NAME,
        status: 'active',
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
    });
    const read = await api().get(path('MN/GOV/9011311')).set('Authorization', gateway.admin).expect(200);
    expect(read.body.name).toBe(MONGOLIAN_NAME);
    expect(new Date(read.body.createdAt).toISOString()).toBe(read.body.createdAt);
  });

  it('answers a repeated create with the same body with 200 and the existing member, changing nothing', async () => {
    const first = await create({ id: 'MN/GOV/2000001', name: 'Татварын ерөнхий газар' }).expect(201);
    await expectNoChange(gateway, async () => {
      const again = await create({ id: 'MN/GOV/2000001', name: 'Татварын ерөнхий газар' }).expect(200);
      expect(again.body).toEqual(first.body);
    });
  });

  it('refuses a create under an existing id with another name with 409', async () => {
    await create({ id: 'MN/GOV/2000002', name: 'Нийгмийн даатгалын ерөнхий газар' }).expect(201);
    await expectNoChange(gateway, async () => {
      const res = await create({ id: 'MN/GOV/2000002', name: 'Someone else' }).expect(409);
      expect(res.body.type).toBe('Client.Conflict');
      expect(res.headers['x-road-error']).toBe('Client.Conflict');
    });
  });

  it('refuses a member of another instance with 400 naming both instances', async () => {
    const res = await create({ id: 'EE/GOV/70000001', name: 'Riigi Infosüsteemi Amet' }).expect(400);
    expect(res.body.type).toBe('Client.BadRequest');
    expect(res.body.message).toContain('EE');
    expect(res.body.message).toContain('instance MN');
  });

  it.each([
    ['a missing name', { id: 'MN/GOV/3000001' }, '/name'],
    ['a blank name', { id: 'MN/GOV/3000001', name: '   ' }, '/name'],
    ['an id with two parts', { id: 'MN/GOV', name: 'x' }, '/id'],
    ['an id with a dots-only part', { id: 'MN/../3000001', name: 'x' }, '/id'],
    ['an id with Cyrillic letters', { id: 'MN/ЗГ/3000001', name: 'x' }, '/id'],
    ['a name that is not a string', { id: 'MN/GOV/3000001', name: 42 }, '/name'],
    ['an unknown field', { id: 'MN/GOV/3000001', name: 'x', status: 'revoked' }, '/status'],
  ])('refuses a body with %s with 400 and the JSON pointer of the field', async (_what, body, pointer) => {
    const res = await create(body).expect(400);
    expect(res.body.type).toBe('Client.SchemaViolation');
    expect(res.body.detail.errors).toEqual(expect.arrayContaining([expect.objectContaining({ pointer })]));
  });

  it('refuses an invalid identifier in the path with 400', async () => {
    const res = await api().get('/v1/members/MN/GOV/..').set('Authorization', gateway.admin).expect(400);
    expect(res.body.type).toBe('Client.InvalidIdentifier');
    await api().get('/v1/members/MN/GOV/a%2Fb').set('Authorization', gateway.admin).expect(400);
  });

  it('answers 404 for a member that is not registered', async () => {
    const id = 'MN/GOV/4040404';
    const attempts = [api().get(path(id)), api().patch(path(id)).send({ name: 'x' }), api().delete(path(id))];
    for (const attempt of attempts) {
      const res = await attempt.set('Authorization', gateway.admin).expect(404);
      expect(res.body).toMatchObject({ type: 'Client.NotFound', message: 'No member MN/GOV/4040404' });
    }
  });

  it('renames a member, recording the change', async () => {
    const created = await create({ id: 'MN/GOV/5000001', name: 'Old name' }).expect(201);
    await expectRecordedChange(gateway, 'members.update', 'MN/GOV/5000001', async () => {
      const res = await api()
        .patch(path('MN/GOV/5000001'))
        .set('Authorization', gateway.admin)
        .send({ name: 'Цахим хөгжлийн яам' })
        .expect(200);
      expect(res.body).toMatchObject({ name: 'Цахим хөгжлийн яам', createdAt: created.body.createdAt });
    });
    const read = await api().get(path('MN/GOV/5000001')).set('Authorization', gateway.auditor).expect(200);
    expect(read.body.name).toBe('Цахим хөгжлийн яам');
    await expectNoChange(gateway, () =>
      api()
        .patch(path('MN/GOV/5000001'))
        .set('Authorization', gateway.admin)
        .send({ name: 'Цахим хөгжлийн яам' })
        .expect(200),
    );
  });

  it('refuses a rename with a malformed body, naming the field', async () => {
    await create({ id: 'MN/GOV/5000002', name: 'Name' }).expect(201);
    const res = await api()
      .patch(path('MN/GOV/5000002'))
      .set('Authorization', gateway.admin)
      .send({ name: '' })
      .expect(400);
    expect(res.body.detail.errors[0].pointer).toBe('/name');
  });

  it('deletes a member that nothing refers to, recording the change', async () => {
    await create({ id: 'MN/GOV/6000001', name: 'Short-lived' }).expect(201);
    await expectRecordedChange(gateway, 'members.delete', 'MN/GOV/6000001', () =>
      api().delete(path('MN/GOV/6000001')).set('Authorization', gateway.admin).expect(204),
    );
    await api().get(path('MN/GOV/6000001')).set('Authorization', gateway.admin).expect(404);
  });

  it('refuses to delete a member that still has subsystems, security servers or certificates, naming them', async () => {
    const id = 'MN/GOV/6000002';
    await create({ id, name: 'Busy member' }).expect(201);
    await insertSubsystems(gateway.store, [`${id}/a`, `${id}/b`]);
    await insertSecurityServers(gateway.store, [{ id: `${id}/ss1`, address: 'https://ss1.example' }]);
    await insertCertificate(gateway.store, {
      serial: '0a01',
      kind: 'sign',
      memberId: id,
      subject: 'CN=x',
      notBefore: new Date(),
      notAfter: new Date(Date.now() + 365 * 24 * 3600_000),
    });
    await expectNoChange(gateway, async () => {
      const res = await api().delete(path(id)).set('Authorization', gateway.admin).expect(409);
      expect(res.body.type).toBe('Client.Conflict');
      expect(res.body.message).toContain('2 subsystems, 1 security server and 1 certificate');
      expect(res.body.detail).toMatchObject({ subsystems: 2, securityServers: 1, certificates: 1 });
    });
    await api().get(path(id)).set('Authorization', gateway.admin).expect(200);
  });

  it('names subsystems alone when they are all that is left', async () => {
    const id = 'MN/GOV/6000003';
    await create({ id, name: 'Member with a subsystem' }).expect(201);
    await insertSubsystems(gateway.store, [`${id}/only`]);
    const res = await api().delete(path(id)).set('Authorization', gateway.admin).expect(409);
    expect(res.body.message).toBe(`Member ${id} still has 1 subsystem; delete them first`);
  });

  it('shows a revoked member with when and why', async () => {
    const id = 'MN/GOV/6000004';
    await create({ id, name: 'Revoked member' }).expect(201);
    await gateway.store.query(
      `UPDATE members SET status = 'revoked', revoked_at = now(), revocation_reason = 'merged' WHERE id = $1`,
      [id],
    );
    const res = await api().get(path(id)).set('Authorization', gateway.admin).expect(200);
    expect(res.body).toMatchObject({
      status: 'revoked',
      revokedAt: expect.any(String),
      revocationReason: 'merged',
    });
  });

  it('lists members in pages that visit every member exactly once', async () => {
    await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        create({ id: `MN/PAGE/${String(i).padStart(3, '0')}`, name: `Байгууллага ${i}` }).expect(201),
      ),
    );
    const all = await gateway.store.query<{ id: string }>('SELECT id FROM members');
    const { ids: seen, pages } = await listEveryPage(
      (query) => api().get('/v1/members').query(query).set('Authorization', gateway.auditor),
      { limit: 10 },
      100,
    );
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort()).toEqual(all.map((row) => row.id).sort());
    expect(seen.filter((id) => id.startsWith('MN/PAGE/'))).toHaveLength(25);
    expect(pages).toBe(Math.ceil(all.length / 10));
  });

  it('refuses a bad limit or cursor with 400', async () => {
    await api().get('/v1/members?limit=0').set('Authorization', gateway.admin).expect(400);
    await api().get('/v1/members?cursor=not%20a%20cursor').set('Authorization', gateway.admin).expect(400);
  });

  it('lets an auditor read but refuses every change with 403', async () => {
    await create({ id: 'MN/GOV/7000001', name: 'Read me' }).expect(201);
    await api().get('/v1/members').set('Authorization', gateway.auditor).expect(200);
    await api().get(path('MN/GOV/7000001')).set('Authorization', gateway.auditor).expect(200);
    await expectNoChange(gateway, async () => {
      const attempts = [
        api().post('/v1/members').send({ id: 'MN/GOV/7000002', name: 'x' }),
        api().patch(path('MN/GOV/7000001')).send({ name: 'x' }),
        api().delete(path('MN/GOV/7000001')),
      ];
      for (const attempt of attempts) {
        const res = await attempt.set('Authorization', gateway.auditor).expect(403);
        expect(res.body.type).toBe('Client.Forbidden');
      }
    });
    const read = await api().get(path('MN/GOV/7000001')).set('Authorization', gateway.admin).expect(200);
    expect(read.body.name).toBe('Read me');
  });
});
