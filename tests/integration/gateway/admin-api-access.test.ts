import request from 'supertest';
import { STORE_ENGINES } from '../../helpers/store-engines';
import { startGateway, type GatewayHarness } from '../../helpers/gateway-harness';

describe.each(STORE_ENGINES)('admin API access on %s', (engine) => {
  let gateway: GatewayHarness;

  beforeAll(async () => {
    gateway = await startGateway(engine);
  });
  afterAll(() => gateway.close());

  const auditEvents = async (event: string) =>
    gateway.store.query<{ outcome: string; error_type: string; actor: string | null }>(
      'SELECT outcome, error_type, actor FROM audit_log WHERE event = $1 ORDER BY seq',
      [event],
    );

  it('serves its OpenAPI description without a token', async () => {
    const res = await request(gateway.app).get('/v1/openapi.json').expect(200);
    expect(res.body.openapi).toBe('3.1.0');
  });

  it('answers an unknown route with a typed 404', async () => {
    const res = await request(gateway.app)
      .get('/v1/nothing-here')
      .set('Authorization', gateway.admin)
      .expect(404);
    expect(res.body).toEqual({ type: 'Client.NotFound', message: 'No route GET /v1/nothing-here' });
    expect(res.headers['x-road-error']).toBe('Client.NotFound');
  });

  it('answers malformed JSON with a typed 400', async () => {
    const res = await request(gateway.app)
      .post('/v1/members')
      .set('Authorization', gateway.admin)
      .set('Content-Type', 'application/json')
      .send('{"id": ')
      .expect(400);
    expect(res.body.type).toBe('Client.BadRequest');
  });

  it('refuses a call without a valid token with 401 and audits it', async () => {
    const before = (await auditEvents('auth-failed')).length;
    const res = await request(gateway.app)
      .get('/v1/members')
      .set('Authorization', 'Bearer ortoo_forged')
      .expect(401);
    expect(res.body.type).toBe('Client.Unauthenticated');
    expect(res.headers['www-authenticate']).toContain('Bearer');
    const events = await auditEvents('auth-failed');
    expect(events).toHaveLength(before + 1);
    expect(events.at(-1)).toMatchObject({ outcome: 'refused', error_type: 'Client.Unauthenticated' });
  });

  it('refuses an auditor who tries to change anything with 403 and audits who it was', async () => {
    const res = await request(gateway.app)
      .post('/v1/members')
      .set('Authorization', gateway.auditor)
      .send({ id: 'MN/GOV/1000001', name: 'Audit attempt' })
      .expect(403);
    expect(res.body.type).toBe('Client.Forbidden');
    expect((await auditEvents('forbidden')).at(-1)).toMatchObject({
      outcome: 'refused',
      actor: 'test-auditor',
    });
  });
});
