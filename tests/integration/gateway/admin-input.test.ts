import request from 'supertest';
import { startGateway, type GatewayHarness } from '../../helpers/gateway-harness';
import { STORE_ENGINES } from '../../helpers/store-engines';

/**
 * Input a caller controls never reaches the store as something it refuses:
 * each case below once became `503 Server.ServerProxy.DatabaseError` (or
 * worse, failed a group commit other callers' records were in); now each is
 * a typed 4xx, and the gateway goes on serving.
 */
describe.each(STORE_ENGINES)('the admin API refuses input no store keeps, on %s', (engine) => {
  let gateway: GatewayHarness;

  beforeAll(async () => {
    gateway = await startGateway(engine);
  });
  afterAll(() => gateway.close());

  const api = () => request(gateway.app);
  const expectTyped = (res: request.Response, status: number, type: string) => {
    expect({ status: res.status, type: res.body.type, header: res.headers['x-road-error'] }).toEqual({
      status,
      type,
      header: type,
    });
    expect(typeof res.body.message).toBe('string');
  };
  const rawPost = (path: string, body: string, contentType = 'application/json') =>
    api().post(path).set('Authorization', gateway.admin).set('Content-Type', contentType).send(body);

  it.each([
    ['a year 0 in a time range', '/v1/audit/records?to=0000-01-01'],
    ['a time past the year 9999 once its zone is applied', '/v1/audit/records?from=9999-12-31T23:59-01:00'],
    ['U+0000 in a text filter', '/v1/audit/records?client=%00'],
    ['a lone surrogate as CESU bytes in a filter', '/v1/audit/records?userId=%ED%A0%80'],
    ['U+0000 in a message id', '/v1/audit/messages/abc%00def'],
    ['a cursor that decodes to U+0000', '/v1/audit/records?cursor=AA'],
    ['a period bound of year 0 in the data tracker', '/v2/findUsage?userCode=EE1&periodStart=0000-01-01'],
  ])('answers an auditor’s query with %s with a typed 400', async (_what, path) => {
    const res = await api().get(path).set('Authorization', gateway.auditor);
    // The CESU-8 bytes decode to replacement characters: harmless text, searched for and not found.
    if (path.includes('%ED%A0%80')) expect(res.status).toBe(200);
    else expectTyped(res, 400, 'Client.BadRequest');
  });

  it.each([
    ['a cursor that decodes to U+0000', '/v1/members?cursor=AA'],
    ['U+0000 in a path parameter', '/v1/members/MN/GOV/90%0011'],
    ['broken percent-encoding in a path parameter', '/v1/members/MN/GOV/%E0%A4%A'],
    ['U+0000 in a token id', '/v1/tokens/%00'],
  ])('answers an admin’s request with %s with a typed 400', async (_what, path) => {
    const call = path.startsWith('/v1/tokens') ? api().delete(path) : api().get(path);
    const res = await call.set('Authorization', gateway.admin);
    expectTyped(res, 400, 'Client.BadRequest');
  });

  it('refuses a member name holding U+0000 or a lone surrogate with a typed 400, before the store', async () => {
    for (const name of ['"Bat\\u0000"', '"Bat\\ud800"']) {
      const res = await rawPost('/v1/members', `{"id":"MN/GOV/5000001","name":${name}}`);
      expectTyped(res, 400, 'Client.BadRequest');
    }
    await api().get('/v1/members/MN/GOV/5000001').set('Authorization', gateway.admin).expect(404);
  });

  it('refuses a JSON body after a UTF-8 byte order mark, as every listener does', async () => {
    const res = await rawPost('/v1/members', '\ufeff{"id":"MN/GOV/5000002","name":"Bat"}');
    expectTyped(res, 400, 'Client.BadRequest');
    expect(res.body.message).toMatch(/byte order mark/);
  });

  it('refuses JSON nested deeper than the limit with a typed 400, not a stack overflow', async () => {
    const res = await rawPost('/v1/members', `${'['.repeat(8000)}${']'.repeat(8000)}`);
    expectTyped(res, 400, 'Client.BadRequest');
    expect(res.body.detail).toEqual({ maxDepth: gateway.deps.config.limits.maxJsonDepth });
  });

  it('refuses a body of another media type with a typed 415', async () => {
    const res = await rawPost('/v1/members', '{"id":"MN/GOV/5000003","name":"Bat"}', 'text/plain');
    expectTyped(res, 415, 'Client.UnsupportedMediaType');
  });

  it('goes on serving, and its audit log still verifies', async () => {
    await api()
      .post('/v1/members')
      .set('Authorization', gateway.admin)
      .send({ id: 'MN/GOV/5000004', name: 'Улсын бүртгэл' })
      .expect(201);
    const verified = await api().get('/v1/audit/verify').set('Authorization', gateway.auditor).expect(200);
    expect(verified.body.ok).toBe(true);
  });
});
