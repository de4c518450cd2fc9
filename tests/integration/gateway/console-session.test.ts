/**
 * Console sessions on real Redis: sign-in exchanges a token for an HttpOnly,
 * SameSite=Strict cookie whose id Redis keeps only hashed; changes need the
 * session's CSRF token; a session ends at sign-out, when idle, at its
 * lifetime, and with its token. Also the console's own data routes (overview,
 * change log) and how the built page is served.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Express } from 'express';
import type { Redis } from 'ioredis';
import request from 'supertest';
import { createApp } from '../../../gateway/src/app';
import { CONSOLE_CSP, consoleAssetsRouter } from '../../../gateway/src/console/console-assets';
import { SessionStore } from '../../../gateway/src/console/session-store';
import { createRedisConnection, whenReady } from '../../../gateway/src/redis';
import { createApiToken, revokeApiToken } from '../../../gateway/src/registry/api-tokens';
import { ADMIN_ROUTERS } from '../../../gateway/src/routes';
import { consoleDataRouter } from '../../../gateway/src/routes/console-data';
import { sessionRouter } from '../../../gateway/src/routes/session';
import { TEST_REDIS_URL, removeRedisKeys } from '../../helpers/exchange-network';
import { startGateway, type GatewayHarness } from '../../helpers/gateway-harness';

const T0 = new Date('2025-09-01T12:00:00.000Z');

describe('console sessions', () => {
  let gateway: GatewayHarness;
  let redis: Redis;
  let app: Express;
  let now: Date;
  let dist: string;
  const prefix = `ortoo-test-session-${randomUUID()}`;

  /** Signs in with `token` and gives the cookie header and the CSRF token. */
  const signIn = async (token: string) => {
    const res = await request(app).post('/v1/session').send({ token }).expect(201);
    const cookie = String(res.headers['set-cookie']?.[0] ?? '').split(';')[0] ?? '';
    return { cookie, csrf: res.body.csrfToken as string, res };
  };
  const bare = (authorization: string) => authorization.replace(/^Bearer /, '');

  beforeAll(async () => {
    gateway = await startGateway('pglite');
    redis = createRedisConnection(TEST_REDIS_URL, { purpose: 'command' });
    await whenReady(redis);
    now = T0;
    const sessions = new SessionStore({
      redis,
      prefix,
      lifetimeSeconds: 3600,
      idleSeconds: 2,
      clock: () => now,
    });
    dist = mkdtempSync(path.join(tmpdir(), 'ortoo-console-dist-'));
    app = createApp(
      gateway.deps,
      [...ADMIN_ROUTERS, sessionRouter(sessions), consoleDataRouter(), consoleAssetsRouter(dist)],
      { sessions },
    );
  });
  afterAll(async () => {
    await removeRedisKeys(prefix);
    redis.disconnect();
    rmSync(dist, { recursive: true, force: true });
    await gateway.close();
  });
  beforeEach(() => {
    now = T0;
  });

  it('gives an HttpOnly, SameSite=Strict, expiring cookie for a valid token, never the token itself', async () => {
    const { res, cookie, csrf } = await signIn(bare(gateway.admin));
    const setCookie = String(res.headers['set-cookie']?.[0]);
    expect(setCookie).toMatch(
      /^ortoo_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=3600$/,
    );
    expect(setCookie).not.toContain('Secure'); // plain HTTP here; over HTTPS the cookie is Secure
    expect(setCookie).not.toContain(bare(gateway.admin));
    expect(res.body).toMatchObject({
      name: 'test-admin',
      role: 'admin',
      expiresAt: '2025-09-01T13:00:00.000Z',
    });
    expect(csrf).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const session = await request(app).get('/v1/session').set('Cookie', cookie).expect(200);
    expect(session.body).toEqual({
      name: 'test-admin',
      role: 'admin',
      csrfToken: csrf,
      expiresAt: res.body.expiresAt,
    });
  });

  it('keeps only the hash of the session id in Redis', async () => {
    const { cookie } = await signIn(bare(gateway.admin));
    const id = cookie.split('=')[1] ?? '';
    const keys = await redis.keys(`${prefix}:console-session:*`);
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.some((key) => key.includes(id))).toBe(false);
  });

  it('refuses an unknown token with a typed error, and audits the attempt', async () => {
    const res = await request(app).post('/v1/session').send({ token: 'ortoo_nope' }).expect(401);
    expect(res.body.type).toBe('Client.Unauthenticated');
    expect(res.headers['set-cookie']).toBeUndefined();
    const [row] = await gateway.store.query<{ count: number }>(
      "SELECT count(*)::int AS count FROM audit_log WHERE event = 'auth-failed' AND detail->>'path' = '/v1/session'",
    );
    expect(row?.count).toBeGreaterThan(0);
    await request(app).post('/v1/session').send({ token: 1 }).expect(400);
  });

  it('lets a session read, and change only with its CSRF token', async () => {
    const { cookie, csrf } = await signIn(bare(gateway.admin));
    await request(app).get('/v1/members').set('Cookie', cookie).expect(200);
    const body = { id: 'MN/GOV/1000001', name: 'Сангийн яам' };
    const forged = await request(app).post('/v1/members').set('Cookie', cookie).send(body).expect(403);
    expect(forged.body.type).toBe('Client.Forbidden');
    await request(app)
      .post('/v1/members')
      .set('Cookie', cookie)
      .set('X-Ortoo-CSRF', 'x'.repeat(43))
      .send(body)
      .expect(403);
    await request(app)
      .post('/v1/members')
      .set('Cookie', cookie)
      .set('X-Ortoo-CSRF', csrf)
      .send(body)
      .expect(201);
  });

  it("gives an auditor's session no administrator's call", async () => {
    const { cookie, csrf } = await signIn(bare(gateway.auditor));
    const res = await request(app)
      .post('/v1/members')
      .set('Cookie', cookie)
      .set('X-Ortoo-CSRF', csrf)
      .send({ id: 'MN/GOV/1000002', name: 'Нэг' })
      .expect(403);
    expect(res.body).toMatchObject({ type: 'Client.Forbidden', detail: { role: 'auditor' } });
  });

  it('ends a session at sign-out, on the server', async () => {
    const { cookie, csrf } = await signIn(bare(gateway.admin));
    await request(app).delete('/v1/session').set('Cookie', cookie).expect(403); // a change: CSRF needed
    const out = await request(app)
      .delete('/v1/session')
      .set('Cookie', cookie)
      .set('X-Ortoo-CSRF', csrf)
      .expect(204);
    expect(String(out.headers['set-cookie']?.[0])).toMatch(/^ortoo_session=; .*Max-Age=0/);
    const after = await request(app).get('/v1/session').set('Cookie', cookie).expect(401);
    expect(after.body.type).toBe('Client.Unauthenticated');
  });

  it('ends a session unused for its idle time, and any at its lifetime', async () => {
    const idle = await signIn(bare(gateway.admin));
    await new Promise((resolve) => setTimeout(resolve, 2500));
    await request(app).get('/v1/session').set('Cookie', idle.cookie).expect(401);

    const busy = await signIn(bare(gateway.admin));
    now = new Date(T0.getTime() + 3601_000);
    await request(app).get('/v1/session').set('Cookie', busy.cookie).expect(401);
  });

  it('ends the sessions of a revoked token at once', async () => {
    const created = await createApiToken(gateway.store, { name: 'short-lived', role: 'admin' });
    const { cookie } = await signIn(created.token);
    await request(app).get('/v1/members').set('Cookie', cookie).expect(200);
    await revokeApiToken(gateway.store, created.info.tokenId);
    await request(app).get('/v1/members').set('Cookie', cookie).expect(401);
  });

  it('prefers a bearer token to a cookie, and takes no malformed cookie', async () => {
    await request(app)
      .get('/v1/session')
      .set('Authorization', gateway.auditor)
      .expect(200, { name: 'test-auditor', role: 'auditor' });
    await request(app).get('/v1/members').set('Cookie', 'ortoo_session=../../etc').expect(401);
  });

  it('sums up the registry for the overview, and lists its changes newest first, page by page', async () => {
    const admin = gateway.admin;
    await request(app)
      .post('/v1/members')
      .set('Authorization', admin)
      .send({ id: 'MN/GOV/2000001', name: 'Нэг' })
      .expect(201);
    await request(app)
      .post('/v1/members')
      .set('Authorization', admin)
      .send({ id: 'MN/GOV/2000002', name: 'Хоёр' })
      .expect(201);
    await request(app)
      .post('/v1/subsystems')
      .set('Authorization', admin)
      .send({ id: 'MN/GOV/2000002/tax' })
      .expect(201);
    const overview = await request(app).get('/v1/overview').set('Authorization', gateway.auditor).expect(200);
    expect(overview.body.counts).toMatchObject({ subsystems: 1, securityServers: 0, services: 0 });
    expect(overview.body.counts.members).toBeGreaterThanOrEqual(2);
    expect(overview.body.traffic.bucketSeconds).toBe(300);
    expect(
      Object.values(overview.body.traffic.events as Record<string, number[]>).every(
        (series) => series.length === 12,
      ),
    ).toBe(true);
    expect(overview.body.queues).toBeNull(); // no delivery queues in this app

    const first = await request(app).get('/v1/changes?limit=2').set('Authorization', admin).expect(200);
    expect(
      first.body.items.map((change: { action: string; id: string }) => `${change.action} ${change.id}`),
    ).toEqual(['subsystems.create MN/GOV/2000002/tax', 'members.create MN/GOV/2000002']);
    expect(first.body.items[0]).toMatchObject({ actor: 'test-admin' });
    const second = await request(app)
      .get(`/v1/changes?limit=2&cursor=${first.body.nextCursor}`)
      .set('Authorization', admin)
      .expect(200);
    expect(second.body.items[0]).toMatchObject({ action: 'members.create', id: 'MN/GOV/2000001' });
    const found = await request(app).get('/v1/changes?q=subsystems').set('Authorization', admin).expect(200);
    expect(found.body.items.map((change: { action: string }) => change.action)).toEqual([
      'subsystems.create',
    ]);
  });

  it('serves the built console with its CSP at every path below /console, or says how to build it', async () => {
    const missing = await request(app).get('/console/').expect(503);
    expect(missing.text).toContain('npm run build:console');
    mkdirSync(path.join(dist, 'assets'), { recursive: true });
    writeFileSync(
      path.join(dist, 'index.html'),
      '<!doctype html><script type="module" src="/console/assets/a.js"></script>',
    );
    writeFileSync(path.join(dist, 'assets', 'a.js'), 'export {};');
    for (const route of ['/console/', '/console/registry', '/console/audit/messages/x']) {
      const res = await request(app).get(route).expect(200);
      expect(res.headers['content-security-policy']).toBe(CONSOLE_CSP);
      expect(res.headers['cache-control']).toBe('no-store');
    }
    const asset = await request(app).get('/console/assets/a.js').expect(200);
    expect(asset.headers['cache-control']).toContain('immutable');
    await request(app).get('/console/assets/missing.js').expect(404);
    await request(app).get('/').expect(302).expect('Location', '/console/');
  });
});
