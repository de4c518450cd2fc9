import request from 'supertest';
import { recordExchange } from '../../helpers/audit-story';
import { startGateway, type GatewayHarness } from '../../helpers/gateway-harness';
import { STORE_ENGINES } from '../../helpers/store-engines';

const SUBJECT = 'MN38001010000';
const TAX = 'MN/GOV/70000001/tax';
const HEALTH = 'MN/GOV/70000002/clinics';
const SERVICE = 'MN/GOV/70000003/registry/person-lookup/v1';

describe.each(STORE_ENGINES)('the data tracker, in the shape of dumonitor v2 (%s)', (engine) => {
  let gateway: GatewayHarness;
  let now = new Date('2025-03-01T08:00:00.000Z');
  const tick = () => {
    now = new Date(now.getTime() + 1000);
  };

  beforeAll(async () => {
    gateway = await startGateway(engine, { clock: () => now });
    for (const [id, name] of [
      ['MN/GOV/70000001', 'Tax Authority'],
      ['MN/GOV/70000002', 'Health Insurance Fund'],
    ]) {
      await request(gateway.app)
        .post('/v1/members')
        .set('Authorization', gateway.admin)
        .send({ id, name })
        .expect(201);
    }
    // Three reads of the subject's data on three days, and one of someone else's.
    await recordExchange(
      gateway.deps.audit,
      { client: TAX, service: SERVICE, dataSubject: SUBJECT, issue: 'tax return 2024' },
      tick,
    );
    now = new Date('2025-03-02T09:00:00.000Z');
    await recordExchange(
      gateway.deps.audit,
      { client: HEALTH, service: SERVICE, dataSubject: SUBJECT, issue: 'referral 7' },
      tick,
    );
    now = new Date('2025-03-03T10:00:00.000Z');
    await recordExchange(gateway.deps.audit, { client: TAX, service: SERVICE, dataSubject: SUBJECT }, tick);
    await recordExchange(
      gateway.deps.audit,
      { client: HEALTH, service: SERVICE, dataSubject: 'MN99001010000' },
      tick,
    );
  });
  afterAll(() => gateway.close());

  const findUsage = (query: Record<string, string> = {}, headers: Record<string, string> = {}) => {
    const call = request(gateway.app).get('/v2/findUsage').query(query).set('Authorization', gateway.auditor);
    for (const [name, value] of Object.entries(headers)) call.set(name, value);
    return call;
  };

  it('answers for the subject named in X-Road-UserId: one usage per exchange, newest first', async () => {
    const res = await findUsage({}, { 'X-Road-UserId': SUBJECT }).expect(200);
    expect(res.body).toEqual({
      totalUsages: 3,
      usages: [
        {
          logtime: '2025-03-03T10:00:03.000Z',
          action: SERVICE,
          receiverCode: '70000001',
          receiverName: 'Tax Authority',
          receiverSystem: 'tax',
        },
        {
          logtime: '2025-03-02T09:00:03.000Z',
          action: `referral 7 (${SERVICE})`,
          receiverCode: '70000002',
          receiverName: 'Health Insurance Fund',
          receiverSystem: 'clinics',
        },
        {
          logtime: '2025-03-01T08:00:03.000Z',
          action: `tax return 2024 (${SERVICE})`,
          receiverCode: '70000001',
          receiverName: 'Tax Authority',
          receiverSystem: 'tax',
        },
      ],
    });
  });

  it('answers for the subject in userCode, which wins over X-Road-UserId', async () => {
    const res = await findUsage({ userCode: SUBJECT }, { 'X-Road-UserId': 'MN-someone-else' }).expect(200);
    expect(res.body.totalUsages).toBe(3);
    expect((await findUsage({ userCode: 'MN00000000000' }).expect(200)).body).toEqual({
      totalUsages: 0,
      usages: [],
    });
  });

  it('narrows to a period of dates, both days included', async () => {
    const res = await findUsage({
      userCode: SUBJECT,
      periodStart: '2025-03-02',
      periodEnd: '2025-03-02',
    }).expect(200);
    expect(res.body.totalUsages).toBe(1);
    expect(res.body.usages[0].receiverSystem).toBe('clinics');
    const since = await findUsage({ userCode: SUBJECT, periodStart: '2025-03-02T00:00:00' }).expect(200);
    expect(since.body.totalUsages).toBe(2);
  });

  it('pages with offset and limit, the total unchanged', async () => {
    const page = await findUsage({ userCode: SUBJECT, offset: '1', limit: '1' }).expect(200);
    expect(page.body.totalUsages).toBe(3);
    expect(page.body.usages.map((usage: { receiverSystem: string }) => usage.receiverSystem)).toEqual([
      'clinics',
    ]);
    const past = await findUsage({ userCode: SUBJECT, offset: '5' }).expect(200);
    expect(past.body).toEqual({ totalUsages: 3, usages: [] });
  });

  it('refuses a lookup without a subject, or with a bad period or limit', async () => {
    await findUsage().expect(400);
    await findUsage({ userCode: SUBJECT, periodStart: 'March' }).expect(400);
    await findUsage({ userCode: SUBJECT, limit: '5000' }).expect(400);
  });

  it('records each lookup as an auditor-query, the subject only hashed', async () => {
    await findUsage({ userCode: SUBJECT }).expect(200);
    const [row] = await gateway.store.query<{ actor: string; detail: Record<string, unknown> }>(
      "SELECT actor, detail FROM audit_log WHERE event = 'auditor-query' ORDER BY seq DESC LIMIT 1",
    );
    expect(row).toMatchObject({
      actor: 'test-auditor',
      detail: { what: 'findUsage', subjectHash: gateway.deps.audit.subjectHash(SUBJECT) },
    });
    expect(JSON.stringify(row)).not.toContain(SUBJECT);
  });

  it('tells the period the log covers, and its heartbeat', async () => {
    const period = await request(gateway.app)
      .get('/v2/usagePeriod')
      .set('Authorization', gateway.auditor)
      .expect(200);
    expect(period.body).toEqual({ periodStart: expect.stringMatching(/^2025-03-01T/) });
    const heartbeat = await request(gateway.app)
      .get('/v2/heartbeat')
      .set('Authorization', gateway.auditor)
      .expect(200);
    expect(heartbeat.body).toMatchObject({ status: 'OK' });
  });

  it('is for auditors only', async () => {
    await findUsage({ userCode: SUBJECT }).set('Authorization', gateway.admin).expect(403);
  });
});
