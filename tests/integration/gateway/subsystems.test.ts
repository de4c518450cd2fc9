import request from 'supertest';
import { STORE_ENGINES } from '../../helpers/store-engines';
import { startGateway, type GatewayHarness } from '../../helpers/gateway-harness';
import { expectNoChange, expectRecordedChange, listEveryPage } from '../../helpers/registry-assertions';
import { STANDARD_MEMBERS, insertGroup, seedStandardMembers } from '../../helpers/registry-fixtures';

const MEMBER = STANDARD_MEMBERS.registry.id;
const OTHER_MEMBER = STANDARD_MEMBERS.nation.id;
const REVOKED_MEMBER = STANDARD_MEMBERS.revoked.id;

describe.each(STORE_ENGINES)('subsystems on %s', (engine) => {
  let gateway: GatewayHarness;

  beforeAll(async () => {
    gateway = await startGateway(engine);
    await seedStandardMembers(gateway.store);
  });
  afterAll(() => gateway.close());

  const api = () => request(gateway.app);
  const create = (body: object) =>
    api().post('/v1/subsystems').set('Authorization', gateway.admin).send(body);
  const path = (id: string) => `/v1/subsystems/${id}`;

  it('registers a subsystem of a member and reads it back', async () => {
    const id = `${MEMBER}/civil-registry`;
    await expectRecordedChange(gateway, 'subsystems.create', id, async () => {
      const res = await create({ id, name: 'Иргэний бүртгэл' }).expect(201);
      expect(res.body).toEqual({
        id,
        memberId: MEMBER,
        subsystemCode: 'civil-registry',
        name: 'Иргэний бүртгэл',
        createdAt: expect.any(String),
      });
    });
    const read = await api().get(path(id)).set('Authorization', gateway.auditor).expect(200);
    expect(read.body.name).toBe('Иргэний бүртгэл');
  });

  it('gives a subsystem without a name an empty one', async () => {
    const res = await create({ id: `${MEMBER}/nameless` }).expect(201);
    expect(res.body.name).toBe('');
  });

  it('answers a repeated create with the same body with 200, and another name with 409', async () => {
    const id = `${MEMBER}/address-registry`;
    const first = await create({ id, name: 'Хаягийн бүртгэл' }).expect(201);
    await expectNoChange(gateway, async () => {
      const again = await create({ id, name: 'Хаягийн бүртгэл' }).expect(200);
      expect(again.body).toEqual(first.body);
      const other = await create({ id, name: 'Something else' }).expect(409);
      expect(other.body.type).toBe('Client.Conflict');
      await create({ id }).expect(409);
    });
  });

  it('refuses a subsystem of a member that is not registered with 404', async () => {
    const res = await create({ id: 'MN/GOV/4040404/x' }).expect(404);
    expect(res.body.message).toBe('No member MN/GOV/4040404');
  });

  it('refuses a subsystem of a revoked member with 409', async () => {
    await expectNoChange(gateway, async () => {
      const res = await create({ id: `${REVOKED_MEMBER}/shop` }).expect(409);
      expect(res.body.type).toBe('Client.Conflict');
      expect(res.body.message).toContain('revoked');
    });
  });

  it.each([
    ['a member id instead of a subsystem id', { id: MEMBER }, '/id'],
    ['a missing id', { name: 'x' }, '/id'],
    ['a name that is not a string', { id: `${MEMBER}/x`, name: ['x'] }, '/name'],
    ['an unknown field', { id: `${MEMBER}/x`, memberId: MEMBER }, '/memberId'],
  ])('refuses a body with %s with 400 and the JSON pointer of the field', async (_what, body, pointer) => {
    const res = await create(body).expect(400);
    expect(res.body.type).toBe('Client.SchemaViolation');
    expect(res.body.detail.errors).toEqual(expect.arrayContaining([expect.objectContaining({ pointer })]));
  });

  it('answers 404 for a subsystem that is not registered', async () => {
    const id = `${MEMBER}/ghost`;
    for (const attempt of [api().get(path(id)), api().delete(path(id))]) {
      const res = await attempt.set('Authorization', gateway.admin).expect(404);
      expect(res.body.type).toBe('Client.NotFound');
    }
  });

  it("lists a member's subsystems with ?member=, in pages that visit each once", async () => {
    await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        create({ id: `${OTHER_MEMBER}/sub-${String(i).padStart(2, '0')}` }).expect(201),
      ),
    );
    const { ids: seen, pages } = await listEveryPage(
      (query) => api().get('/v1/subsystems').query(query).set('Authorization', gateway.auditor),
      { member: OTHER_MEMBER, limit: 10 },
      10,
    );
    expect(pages).toBe(3);
    expect(seen).toHaveLength(25);
    expect(new Set(seen).size).toBe(25);
    expect(seen.every((id) => id.startsWith(`${OTHER_MEMBER}/`))).toBe(true);

    const all = await api().get('/v1/subsystems').set('Authorization', gateway.admin).expect(200);
    expect(all.body.items.map((s: { id: string }) => s.id)).toContain(`${MEMBER}/civil-registry`);
    expect(all.body.nextCursor).toBeUndefined();
  });

  it('refuses a malformed ?member= with 400', async () => {
    const res = await api()
      .get('/v1/subsystems?member=MN/GOV')
      .set('Authorization', gateway.admin)
      .expect(400);
    expect(res.body.type).toBe('Client.InvalidIdentifier');
  });

  it('deletes a subsystem, with its group memberships and access rights, recording the change', async () => {
    const id = `${MEMBER}/temporary`;
    await create({ id }).expect(201);
    await insertGroup(gateway.store, 'MN/temporary-group', [id]);
    await gateway.store.query(
      "INSERT INTO access_rights (service_id, client_id) VALUES ('MN/GOV/1/a/b', $1)",
      [id],
    );
    await expectRecordedChange(gateway, 'subsystems.delete', id, () =>
      api().delete(path(id)).set('Authorization', gateway.admin).expect(204),
    );
    await api().get(path(id)).set('Authorization', gateway.admin).expect(404);
    const [left] = await gateway.store.query<{ count: number }>(
      `SELECT (SELECT count(*)::int FROM global_group_members WHERE subsystem_id = $1)
            + (SELECT count(*)::int FROM access_rights WHERE client_id = $1) AS count`,
      [id],
    );
    expect(left?.count).toBe(0);
  });

  it('refuses to delete a subsystem that provides services, naming them', async () => {
    const id = `${MEMBER}/provider`;
    await create({ id }).expect(201);
    await gateway.store.query(
      `INSERT INTO services (service_id, version, provider_id, service_code, title, request_schema, response_schema,
                             request_schema_hash, response_schema_hash, timeout_ms, max_attempts, backoff_ms)
       VALUES ($1 || '/person', 'v1', $1, 'person', 'Person', '{}', '{}', 'h', 'h', 30000, 5, 1000)`,
      [id],
    );
    await expectNoChange(gateway, async () => {
      const res = await api().delete(path(id)).set('Authorization', gateway.admin).expect(409);
      expect(res.body.type).toBe('Client.Conflict');
      expect(res.body.message).toContain(`${id}/person`);
      expect(res.body.detail.services).toEqual([`${id}/person`]);
    });
    await api().get(path(id)).set('Authorization', gateway.admin).expect(200);
  });

  it('lets an auditor read but refuses every change with 403', async () => {
    const id = `${MEMBER}/read-only`;
    await create({ id }).expect(201);
    await api().get('/v1/subsystems').set('Authorization', gateway.auditor).expect(200);
    await expectNoChange(gateway, async () => {
      for (const attempt of [
        api()
          .post('/v1/subsystems')
          .send({ id: `${MEMBER}/nope` }),
        api().delete(path(id)),
      ]) {
        const res = await attempt.set('Authorization', gateway.auditor).expect(403);
        expect(res.body.type).toBe('Client.Forbidden');
      }
    });
    await api().get(path(id)).set('Authorization', gateway.admin).expect(200);
    await api()
      .get(path(`${MEMBER}/nope`))
      .set('Authorization', gateway.admin)
      .expect(404);
  });
});
