import request from 'supertest';
import { STORE_ENGINES } from '../../helpers/store-engines';
import { startGateway, type GatewayHarness } from '../../helpers/gateway-harness';
import { expectNoChange, expectRecordedChange, listEveryPage } from '../../helpers/registry-assertions';
import { STANDARD_MEMBERS, insertCertificate, seedStandardMembers } from '../../helpers/registry-fixtures';

const OWNER = STANDARD_MEMBERS.registry.id;
const OTHER_OWNER = STANDARD_MEMBERS.nation.id;
const REVOKED_OWNER = STANDARD_MEMBERS.revoked.id;
const ADDRESS = 'https://ss1.civil-registry.example:5500';

describe.each(STORE_ENGINES)('security servers on %s', (engine) => {
  let gateway: GatewayHarness;

  beforeAll(async () => {
    gateway = await startGateway(engine);
    await seedStandardMembers(gateway.store);
  });
  afterAll(() => gateway.close());

  const api = () => request(gateway.app);
  const create = (body: object) =>
    api().post('/v1/security-servers').set('Authorization', gateway.admin).send(body);
  const path = (id: string) => `/v1/security-servers/${id}`;

  /** Records a certificate of `serverId` as the CA would on approval: an active auth one by default. */
  async function issueCertificate(
    serial: string,
    serverId: string,
    options: { kind?: 'sign' | 'auth'; status?: 'active' | 'revoked'; notAfter?: string } = {},
  ) {
    await insertCertificate(gateway.store, {
      serial,
      kind: options.kind ?? 'auth',
      securityServerId: serverId,
      status: options.status ?? 'active',
      notBefore: '2026-01-01T00:00:00Z',
      notAfter: options.notAfter ?? '2027-01-01T00:00:00Z',
    });
  }

  it('registers a security server of a member and reads it back', async () => {
    const id = `${OWNER}/ss1`;
    await expectRecordedChange(gateway, 'security-servers.create', id, async () => {
      const res = await create({ id, address: ADDRESS }).expect(201);
      expect(res.body).toEqual({
        id,
        ownerId: OWNER,
        serverCode: 'ss1',
        address: ADDRESS,
        status: 'active',
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
    });
    const read = await api().get(path(id)).set('Authorization', gateway.auditor).expect(200);
    expect(read.body.address).toBe(ADDRESS);
  });

  it('answers a repeated create with the same body with 200, and another address with 409', async () => {
    const id = `${OWNER}/ss2`;
    const first = await create({ id, address: 'http://10.0.0.2:5500' }).expect(201);
    await expectNoChange(gateway, async () => {
      const again = await create({ id, address: 'http://10.0.0.2:5500' }).expect(200);
      expect(again.body).toEqual(first.body);
      const other = await create({ id, address: 'http://10.0.0.3:5500' }).expect(409);
      expect(other.body.type).toBe('Client.Conflict');
    });
  });

  it('refuses a server of a member that is not registered with 404, and of a revoked one with 409', async () => {
    await expectNoChange(gateway, async () => {
      const missing = await create({ id: 'MN/GOV/4040404/ss1', address: ADDRESS }).expect(404);
      expect(missing.body.message).toBe('No member MN/GOV/4040404');
      const revoked = await create({ id: `${REVOKED_OWNER}/ss1`, address: ADDRESS }).expect(409);
      expect(revoked.body.message).toContain('revoked');
    });
  });

  it.each([
    ['a relative address', { id: `${OWNER}/ss9`, address: '/ss9' }, '/address'],
    ['an address without a scheme', { id: `${OWNER}/ss9`, address: 'ss9.example:5500' }, '/address'],
    ['an ftp address', { id: `${OWNER}/ss9`, address: 'ftp://ss9.example' }, '/address'],
    ['an address with a password', { id: `${OWNER}/ss9`, address: 'https://u:p@ss9.example' }, '/address'],
    ['an address with spaces', { id: `${OWNER}/ss9`, address: 'https://ss9 .example' }, '/address'],
    ['a missing address', { id: `${OWNER}/ss9` }, '/address'],
    ['a member id', { id: OWNER, address: ADDRESS }, '/id'],
    ['an unknown field', { id: `${OWNER}/ss9`, address: ADDRESS, status: 'active' }, '/status'],
  ])('refuses a body with %s with 400 and the JSON pointer of the field', async (_what, body, pointer) => {
    const res = await create(body).expect(400);
    expect(res.body.type).toBe('Client.SchemaViolation');
    expect(res.body.detail.errors).toEqual(expect.arrayContaining([expect.objectContaining({ pointer })]));
  });

  it('changes the address, recording the change', async () => {
    const id = `${OWNER}/ss3`;
    await create({ id, address: 'http://old.example' }).expect(201);
    await expectRecordedChange(gateway, 'security-servers.update', id, async () => {
      const res = await api()
        .patch(path(id))
        .set('Authorization', gateway.admin)
        .send({ address: 'https://new.example:8443/proxy' })
        .expect(200);
      expect(res.body.address).toBe('https://new.example:8443/proxy');
    });
    const bad = await api()
      .patch(path(id))
      .set('Authorization', gateway.admin)
      .send({ address: 'new.example' })
      .expect(400);
    expect(bad.body.detail.errors[0].pointer).toBe('/address');
  });

  it('answers 404 for a server that is not registered', async () => {
    const id = `${OWNER}/ghost`;
    const attempts = [
      api().get(path(id)),
      api().patch(path(id)).send({ address: ADDRESS }),
      api().delete(path(id)),
    ];
    for (const attempt of attempts) {
      const res = await attempt.set('Authorization', gateway.admin).expect(404);
      expect(res.body.type).toBe('Client.NotFound');
    }
  });

  it('shows the active auth certificate, not a sign, revoked or missing one', async () => {
    const id = `${OWNER}/ss4`;
    await create({ id, address: ADDRESS }).expect(201);
    const none = await api().get(path(id)).set('Authorization', gateway.admin).expect(200);
    expect(none.body.authCertificate).toBeUndefined();

    await issueCertificate('0b01', id, { kind: 'sign' });
    await issueCertificate('0b02', id, { status: 'revoked', notAfter: '2030-01-01T00:00:00Z' });
    await issueCertificate('0b03', id);
    const shown = await api().get(path(id)).set('Authorization', gateway.admin).expect(200);
    expect(shown.body.authCertificate).toEqual({
      serial: '0b03',
      thumbprint: 'thumb-0b03',
      notAfter: '2027-01-01T00:00:00.000Z',
    });
    const listed = await api()
      .get('/v1/security-servers')
      .query({ owner: OWNER })
      .set('Authorization', gateway.admin)
      .expect(200);
    expect(listed.body.items.find((s: { id: string }) => s.id === id).authCertificate.serial).toBe('0b03');
  });

  it('shows a revoked server with when and why', async () => {
    const id = `${OWNER}/ss5`;
    await create({ id, address: ADDRESS }).expect(201);
    await gateway.store.query(
      `UPDATE security_servers SET status = 'revoked', revoked_at = now(), revocation_reason = 'stolen' WHERE id = $1`,
      [id],
    );
    const res = await api().get(path(id)).set('Authorization', gateway.admin).expect(200);
    expect(res.body).toMatchObject({
      status: 'revoked',
      revokedAt: expect.any(String),
      revocationReason: 'stolen',
    });
  });

  it('deletes a server that holds no certificates, and refuses one that does', async () => {
    const id = `${OWNER}/ss6`;
    await create({ id, address: ADDRESS }).expect(201);
    await expectRecordedChange(gateway, 'security-servers.delete', id, () =>
      api().delete(path(id)).set('Authorization', gateway.admin).expect(204),
    );
    await api().get(path(id)).set('Authorization', gateway.admin).expect(404);

    const certified = `${OWNER}/ss7`;
    await create({ id: certified, address: ADDRESS }).expect(201);
    await issueCertificate('0c01', certified);
    await expectNoChange(gateway, async () => {
      const res = await api().delete(path(certified)).set('Authorization', gateway.admin).expect(409);
      expect(res.body.message).toContain('1 certificate');
    });
  });

  it("lists an owner's servers with ?owner=, in pages that visit each once", async () => {
    await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        create({
          id: `${OTHER_OWNER}/ss-${String(i).padStart(2, '0')}`,
          address: `https://ss${i}.example`,
        }).expect(201),
      ),
    );
    const { ids: seen, pages } = await listEveryPage(
      (query) => api().get('/v1/security-servers').query(query).set('Authorization', gateway.auditor),
      { owner: OTHER_OWNER, limit: 10 },
      10,
    );
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(25);
    expect(seen.every((id) => id.startsWith(`${OTHER_OWNER}/`))).toBe(true);
    await api().get('/v1/security-servers?owner=nope').set('Authorization', gateway.admin).expect(400);
  });

  it('lets an auditor read but refuses every change with 403', async () => {
    const id = `${OWNER}/ss8`;
    await create({ id, address: ADDRESS }).expect(201);
    await api().get(path(id)).set('Authorization', gateway.auditor).expect(200);
    await expectNoChange(gateway, async () => {
      const attempts = [
        api()
          .post('/v1/security-servers')
          .send({ id: `${OWNER}/nope`, address: ADDRESS }),
        api().patch(path(id)).send({ address: 'https://elsewhere.example' }),
        api().delete(path(id)),
      ];
      for (const attempt of attempts) {
        const res = await attempt.set('Authorization', gateway.auditor).expect(403);
        expect(res.body.type).toBe('Client.Forbidden');
      }
    });
    const read = await api().get(path(id)).set('Authorization', gateway.admin).expect(200);
    expect(read.body.address).toBe(ADDRESS);
  });
});
