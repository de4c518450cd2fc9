import request from 'supertest';
import { recordExchange, STORY_EVENTS } from '../../helpers/audit-story';
import { startGateway, type GatewayHarness } from '../../helpers/gateway-harness';
import { STORE_ENGINES } from '../../helpers/store-engines';

const CLIENT = 'MN/GOV/70000001/tax';
const OTHER_CLIENT = 'MN/GOV/70000002/health';
const SERVICE = 'MN/GOV/70000003/registry/person-lookup/v1';
const SERVER = 'MN/GOV/70000001/ss1';
const SUBJECT = 'MN38001010000';

describe.each(STORE_ENGINES)('the auditor API (%s)', (engine) => {
  let gateway: GatewayHarness;
  let now = new Date('2025-03-01T08:00:00.000Z');
  const tick = () => {
    now = new Date(now.getTime() + 1000);
  };
  let story: string;
  let other: string;

  beforeAll(async () => {
    gateway = await startGateway(engine, { clock: () => now });
    story = await recordExchange(
      gateway.deps.audit,
      {
        client: CLIENT,
        service: SERVICE,
        userId: 'MN-officer-7',
        securityServer: SERVER,
        dataSubject: SUBJECT,
        issue: 'case 42',
      },
      tick,
    );
    now = new Date('2025-03-02T08:00:00.000Z');
    other = await recordExchange(gateway.deps.audit, { client: OTHER_CLIENT, service: SERVICE }, tick);
  });
  afterAll(() => gateway.close());

  const get = (path: string, auth = gateway.auditor) =>
    request(gateway.app).get(path).set('Authorization', auth);
  const records = async (query: Record<string, string>) =>
    (await get('/v1/audit/records').query(query).expect(200)).body as {
      items: {
        seq: number;
        event: string;
        messageId?: string;
        subjectHash?: string;
        detail: Record<string, unknown>;
      }[];
      nextCursor?: string;
    };

  it('tells the whole story of one message, in order, with its hashes, signatures, subject and purpose', async () => {
    const res = await get(`/v1/audit/messages/${story}`).expect(200);
    expect(res.body.messageId).toBe(story);
    const items = res.body.items as Record<string, unknown>[];
    expect(items.map((item) => item.event)).toEqual([...STORY_EVENTS]);
    const seqs = items.map((item) => item.seq as number);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    const answered = items[3] as Record<string, unknown>;
    expect(answered).toMatchObject({
      client: CLIENT,
      service: SERVICE,
      userId: 'MN-officer-7',
      securityServer: SERVER,
      requestHash: `req-${story}`,
      responseHash: `res-${story}`,
      requestSignature: `sig-req-${story}`,
      responseSignature: `sig-res-${story}`,
      subjectHash: gateway.deps.audit.subjectHash(SUBJECT),
      detail: { issue: 'case 42', status: 200 },
      outcome: 'ok',
    });
    expect(answered).toEqual(
      expect.objectContaining({ writer: expect.any(String), hash: expect.any(String) }),
    );
    expect(items[1]?.prevHash).toBe(items[0]?.hash);
  });

  it.each([
    ['messageId', () => story, 4],
    ['client', () => OTHER_CLIENT, 4],
    ['service', () => SERVICE, 8],
    ['userId', () => 'MN-officer-7', 4],
    ['securityServer', () => SERVER, 4],
  ])('searches by %s', async (filter, value, count) => {
    const page = await records({ [filter]: value() });
    expect(page.items).toHaveLength(count);
  });

  it('searches by event and outcome', async () => {
    const page = await records({ event: 'answered', outcome: 'ok' });
    expect(page.items.map((item) => item.messageId)).toEqual([story, other]);
    expect((await records({ event: 'answered', outcome: 'failed' })).items).toEqual([]);
  });

  it('searches by data subject given in clear, which the gateway hashes', async () => {
    const page = await records({ subject: SUBJECT });
    expect(page.items.map((item) => item.event)).toEqual([...STORY_EVENTS]);
    expect(page.items.every((item) => item.subjectHash === gateway.deps.audit.subjectHash(SUBJECT))).toBe(
      true,
    );
    expect((await records({ subject: 'MN00000000000' })).items).toEqual([]);
  });

  it('searches a time range: from included, to excluded', async () => {
    const day1 = await records({ service: SERVICE, from: '2025-03-01', to: '2025-03-02' });
    expect(day1.items.map((item) => item.messageId)).toEqual(Array(4).fill(story));
    const day2 = await records({ service: SERVICE, from: '2025-03-02T00:00:00Z' });
    expect(day2.items.map((item) => item.messageId)).toEqual(Array(4).fill(other));
  });

  it('pages with a cursor, in seq order', async () => {
    const first = await records({ service: SERVICE, limit: '3' });
    expect(first.items).toHaveLength(3);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await records({ service: SERVICE, limit: '3', cursor: first.nextCursor as string });
    const third = await records({ service: SERVICE, limit: '3', cursor: second.nextCursor as string });
    expect(third.nextCursor).toBeUndefined();
    const seqs = [...first.items, ...second.items, ...third.items].map((item) => item.seq);
    expect(seqs).toHaveLength(8);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
  });

  it('refuses bad filters', async () => {
    await get('/v1/audit/records?outcome=maybe').expect(400);
    await get('/v1/audit/records?from=yesterday').expect(400);
    await get('/v1/audit/records?cursor=!!').expect(400);
  });

  it('records every auditor call as an auditor-query, the subject only hashed', async () => {
    await get('/v1/audit/records').query({ client: CLIENT, subject: SUBJECT }).expect(200);
    await get(`/v1/audit/messages/${story}`).expect(200);
    await get('/v1/audit/verify').expect(200);
    await get('/v1/audit/checkpoints').expect(200);
    await request(gateway.app)
      .post('/v1/audit/export')
      .set('Authorization', gateway.auditor)
      .send({ query: { messageId: story } })
      .expect(200);
    const rows = await gateway.store.query<{
      actor: string;
      detail: Record<string, unknown>;
      subject_hash: string | null;
    }>(
      "SELECT actor, detail, subject_hash FROM audit_log WHERE event = 'auditor-query' ORDER BY seq DESC LIMIT 5",
    );
    expect(rows.map((row) => row.detail.what)).toEqual([
      'export',
      'checkpoints',
      'verify',
      'message',
      'records',
    ]);
    expect(rows.every((row) => row.actor === 'test-auditor')).toBe(true);
    const search = rows[4];
    expect(search?.detail).toEqual({
      what: 'records',
      query: { client: CLIENT },
      subjectHash: gateway.deps.audit.subjectHash(SUBJECT),
    });
    expect(JSON.stringify(rows)).not.toContain(SUBJECT);
    // A subject search does not find the queries about that subject, only what happened to it.
    expect(search?.subject_hash).toBeNull();
  });

  it('lists the signed checkpoints, by writer, with a cursor', async () => {
    await gateway.deps.audit.checkpoint();
    const res = await get('/v1/audit/checkpoints')
      .query({ writer: gateway.deps.audit.writer, limit: '1' })
      .expect(200);
    expect(res.body.items).toEqual([
      expect.objectContaining({
        writer: gateway.deps.audit.writer,
        chainSeq: expect.any(Number),
        headHash: expect.any(String),
        signer: gateway.deps.trust.auditCertificate.thumbprint,
      }),
    ]);
    expect(res.body.nextCursor).toEqual(expect.any(String));
  });

  describe('access', () => {
    const auditorRoutes: [string, string][] = [
      ['get', '/v1/audit/records'],
      ['get', '/v1/audit/messages/m-1'],
      ['get', '/v1/audit/verify'],
      ['get', '/v1/audit/checkpoints'],
      ['post', '/v1/audit/export'],
      ['get', '/v2/findUsage?userCode=MN1'],
      ['get', '/v2/usagePeriod'],
      ['get', '/v2/heartbeat'],
    ];

    it.each(auditorRoutes)('refuses an admin token: %s %s → 403', async (method, path) => {
      const call =
        method === 'get' ? request(gateway.app).get(path) : request(gateway.app).post(path).send({});
      const res = await call.set('Authorization', gateway.admin).expect(403);
      expect(res.body.type).toBe('Client.Forbidden');
    });

    it.each(auditorRoutes)('refuses a caller without a token: %s %s → 401', async (method, path) => {
      const call =
        method === 'get' ? request(gateway.app).get(path) : request(gateway.app).post(path).send({});
      await call.expect(401);
    });

    const writeRoutes: [string, string, Record<string, unknown>][] = [
      ['post', '/v1/members', { id: 'MN/GOV/9011311', name: 'Mine' }],
      ['patch', '/v1/members/MN/GOV/70000001', { name: 'Renamed' }],
      ['delete', '/v1/members/MN/GOV/70000001', {}],
      ['post', '/v1/members/MN/GOV/70000001/revoke', { reason: 'x' }],
      ['post', '/v1/subsystems', { id: 'MN/GOV/70000001/x' }],
      ['post', '/v1/security-servers', { id: 'MN/GOV/70000001/ss9', address: 'https://ss9' }],
      ['post', '/v1/groups', { id: 'MN/g' }],
      ['post', '/v1/services', {}],
      ['post', '/v1/access-rights', {}],
      ['delete', '/v1/access-rights/1', {}],
      ['post', '/v1/tokens', { name: 'sneaky', role: 'admin' }],
      ['get', '/v1/tokens', {}],
      ['post', '/v1/registration-tokens', { securityServerId: 'MN/GOV/70000001/ss9' }],
      ['post', '/v1/certificates/01/revoke', { reason: 'x' }],
    ];

    it.each(writeRoutes)('lets an auditor change nothing: %s %s → 403', async (method, path, body) => {
      const agent = request(gateway.app);
      const call =
        method === 'post'
          ? agent.post(path).send(body)
          : method === 'patch'
            ? agent.patch(path).send(body)
            : method === 'delete'
              ? agent.delete(path)
              : agent.get(path);
      const res = await call.set('Authorization', gateway.auditor).expect(403);
      expect(res.body.type).toBe('Client.Forbidden');
    });

    it('has no route that changes or removes audit records', async () => {
      const [row] = await gateway.store.query<{ seq: number }>(
        'SELECT seq FROM audit_log ORDER BY seq LIMIT 1',
      );
      const path = `/v1/audit/records/${row?.seq}`;
      for (const auth of [gateway.admin, gateway.auditor]) {
        await request(gateway.app).delete(path).set('Authorization', auth).expect(404);
        await request(gateway.app)
          .patch(path)
          .set('Authorization', auth)
          .send({ outcome: 'failed' })
          .expect(404);
        await request(gateway.app).delete('/v1/audit/records').set('Authorization', auth).expect(404);
      }
    });
  });
});
