import request from 'supertest';
import { createCsr, generateKeyPair, parseCertificate, verifyCertificate } from '../../../core/src';
import { STORE_ENGINES } from '../../helpers/store-engines';
import { startGateway, type GatewayHarness } from '../../helpers/gateway-harness';
import { seedStandardMembers } from '../../helpers/registry-fixtures';

/** What a security server makes for itself before registering: keys that never leave it, and CSRs. */
function serverKeys(commonName: string) {
  const sign = generateKeyPair();
  const auth = generateKeyPair();
  return {
    sign,
    auth,
    signCsr: createCsr({ subject: { commonName }, keyPair: sign }),
    authCsr: createCsr({
      subject: { commonName },
      keyPair: auth,
      dnsNames: ['ss1.civil-registry.example'],
      ipAddresses: ['127.0.0.1'],
    }),
  };
}

describe.each(STORE_ENGINES)('registration of security servers on %s', (engine) => {
  let gateway: GatewayHarness;
  const server = 'MN/GOV/9011311/ss1';

  beforeAll(async () => {
    gateway = await startGateway(engine);
    // All three active: servers of 'MN/COM/5550001' register before the last test revokes it.
    await seedStandardMembers(gateway.store, { revoked: false });
  });
  afterAll(() => gateway.close());

  const admin = () => gateway.admin;

  async function issueToken(securityServerId: string): Promise<string> {
    const res = await request(gateway.app)
      .post('/v1/registration-tokens')
      .set('Authorization', admin())
      .send({ securityServerId })
      .expect(201);
    expect(res.body).toMatchObject({ securityServerId, token: expect.stringMatching(/^ortoo_reg_/) });
    return res.body.token as string;
  }

  async function submit(securityServerId: string, token: string, keys = serverKeys('whatever I like')) {
    return request(gateway.app).post('/v1/registrations').send({
      token,
      securityServerId,
      address: 'https://ss1.civil-registry.example:5500',
      signCsr: keys.signCsr,
      authCsr: keys.authCsr,
    });
  }

  it('goes from CSRs to certificates that chain to the instance CA, without a private key leaving the server', async () => {
    const keys = serverKeys('MN/GOV/7000001');
    const submitted = await submit(server, await issueToken(server), keys);
    expect(submitted.status).toBe(202);
    expect(submitted.body).toMatchObject({
      securityServerId: server,
      ownerId: 'MN/GOV/9011311',
      status: 'pending',
    });
    expect(JSON.stringify(submitted.body)).not.toContain('PRIVATE KEY');

    const shown = await request(gateway.app)
      .get(`/v1/registrations/${submitted.body.id}`)
      .set('Authorization', gateway.auditor)
      .expect(200);
    expect(shown.body.requestedNames).toEqual({
      dnsNames: ['ss1.civil-registry.example'],
      ipAddresses: ['127.0.0.1'],
    });

    const pending = await request(gateway.app)
      .get(`/v1/registrations/${submitted.body.id}/result`)
      .expect(200);
    expect(pending.body).toMatchObject({ status: 'pending' });
    expect(pending.body.signCertificate).toBeUndefined();

    await request(gateway.app)
      .post(`/v1/registrations/${submitted.body.id}/approve`)
      .set('Authorization', admin())
      .expect(200);
    const result = await request(gateway.app)
      .get(`/v1/registrations/${submitted.body.id}/result`)
      .expect(200);
    expect(result.body.status).toBe('approved');

    const ca = parseCertificate(result.body.caCertificate);
    const sign = parseCertificate(result.body.signCertificate);
    const auth = parseCertificate(result.body.authCertificate);
    const now = new Date();
    expect(verifyCertificate(sign, { trustAnchors: [ca], at: now, usage: 'sign' })).toBe(ca);
    expect(verifyCertificate(auth, { trustAnchors: [ca], at: now, usage: 'auth' })).toBe(ca);
    // The keys are the server's own; the names come from the registry, not from what the CSR claimed.
    expect(sign.publicKey.equals(keys.sign.publicKey)).toBe(true);
    expect(auth.publicKey.equals(keys.auth.publicKey)).toBe(true);
    expect(sign.subject).toMatchObject({
      commonName: '9011311',
      organization: 'Улсын бүртгэлийн ерөнхий газар',
    });
    expect(auth.subject.commonName).toBe('ss1');
    expect(auth.dnsNames).toEqual(['ss1.civil-registry.example']);

    const [row] = await gateway.store.query<{ owner_id: string; address: string; status: string }>(
      'SELECT owner_id, address, status FROM security_servers WHERE id = $1',
      [server],
    );
    expect(row).toEqual({
      owner_id: 'MN/GOV/9011311',
      address: 'https://ss1.civil-registry.example:5500',
      status: 'active',
    });
    const certificates = await request(gateway.app)
      .get(`/v1/certificates?server=${encodeURIComponent(server)}&status=active`)
      .set('Authorization', gateway.auditor)
      .expect(200);
    expect(certificates.body.items.map((c: { kind: string }) => c.kind).sort()).toEqual(['auth', 'sign']);
  });

  it('accepts a registration token once only', async () => {
    const token = await issueToken('MN/GOV/9011311/ss2');
    expect((await submit('MN/GOV/9011311/ss2', token)).status).toBe(202);
    const again = await submit('MN/GOV/9011311/ss2', token);
    expect(again.status).toBe(401);
    expect(again.body.type).toBe('Client.Unauthenticated');
  });

  it('refuses a token meant for another server, and audits the attempt', async () => {
    const token = await issueToken('MN/GOV/9011311/ss3');
    const res = await submit('MN/GOV/7000001/ss1', token);
    expect(res.status).toBe(401);
    const [audit] = await gateway.store.query<{ outcome: string; actor: string }>(
      "SELECT outcome, actor FROM audit_log WHERE event = 'registration-refused' ORDER BY seq DESC LIMIT 1",
    );
    expect(audit).toEqual({ outcome: 'refused', actor: 'MN/GOV/7000001/ss1' });
  });

  it('refuses an expired token', async () => {
    const token = await issueToken('MN/GOV/9011311/ss4');
    await gateway.store.query("UPDATE registration_tokens SET expires_at = now() - interval '1 second'");
    expect((await submit('MN/GOV/9011311/ss4', token)).status).toBe(401);
  });

  it('refuses a CSR whose signature does not match its key with a typed 400, and keeps the token usable', async () => {
    const token = await issueToken('MN/GOV/9011311/ss5');
    const keys = serverKeys('ss5');
    const der = Buffer.from(keys.signCsr.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64');
    der[der.length - 1] = (der[der.length - 1] ?? 0) ^ 0x01; // the last byte of the signature
    const forged = `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
    const res = await submit('MN/GOV/9011311/ss5', token, { ...keys, signCsr: forged });
    expect(res.status).toBe(400);
    expect(res.body.type).toBe('Client.BadRequest');
    expect((await submit('MN/GOV/9011311/ss5', token)).status).toBe(202);
  });

  it('lets an admin reject a registration, which can then not be approved', async () => {
    const submitted = await submit('MN/COM/5550001/ss1', await issueToken('MN/COM/5550001/ss1'));
    const id = submitted.body.id as string;
    const rejected = await request(gateway.app)
      .post(`/v1/registrations/${id}/reject`)
      .set('Authorization', admin())
      .send({ reason: 'unknown operator' })
      .expect(200);
    expect(rejected.body).toMatchObject({
      status: 'rejected',
      decisionReason: 'unknown operator',
      decidedBy: 'test-admin',
    });
    const approve = await request(gateway.app)
      .post(`/v1/registrations/${id}/approve`)
      .set('Authorization', admin());
    expect(approve.status).toBe(409);
    expect((await request(gateway.app).get(`/v1/registrations/${id}/result`)).body.status).toBe('rejected');
  });

  it('does not let an auditor issue tokens or decide registrations', async () => {
    await request(gateway.app)
      .post('/v1/registration-tokens')
      .set('Authorization', gateway.auditor)
      .send({ securityServerId: 'MN/GOV/9011311/ss9' })
      .expect(403);
    const submitted = await submit('MN/GOV/9011311/ss6', await issueToken('MN/GOV/9011311/ss6'));
    await request(gateway.app)
      .post(`/v1/registrations/${submitted.body.id}/approve`)
      .set('Authorization', gateway.auditor)
      .expect(403);
  });

  it('refuses a token for an unknown member, or of another instance', async () => {
    await request(gateway.app)
      .post('/v1/registration-tokens')
      .set('Authorization', admin())
      .send({ securityServerId: 'MN/GOV/0000000/ss1' })
      .expect(404);
    await request(gateway.app)
      .post('/v1/registration-tokens')
      .set('Authorization', admin())
      .send({ securityServerId: 'EE/GOV/9011311/ss1' })
      .expect(400);
  });

  describe('revocation takes effect at once', () => {
    async function register(securityServerId: string): Promise<{ sign: string; auth: string }> {
      const submitted = await submit(securityServerId, await issueToken(securityServerId));
      const approved = await request(gateway.app)
        .post(`/v1/registrations/${submitted.body.id}/approve`)
        .set('Authorization', admin())
        .expect(200);
      return { sign: approved.body.signCertificateSerial, auth: approved.body.authCertificateSerial };
    }
    const statusOf = async (serial: string) =>
      (await request(gateway.app).get(`/v1/certificates/${serial}`).set('Authorization', admin()).expect(200))
        .body;

    it('for one certificate, idempotently', async () => {
      const { sign } = await register('MN/GOV/7000001/ss1');
      const version = async () =>
        (await gateway.store.query<{ version: number }>('SELECT version FROM registry_state'))[0]?.version;
      const before = await version();
      const revoked = await request(gateway.app)
        .post(`/v1/certificates/${sign}/revoke`)
        .set('Authorization', admin())
        .send({ reason: 'key compromise' })
        .expect(200);
      expect(revoked.body).toMatchObject({ status: 'revoked', revocationReason: 'key compromise' });
      expect(await version()).toBeGreaterThan(before ?? 0);
      await request(gateway.app)
        .post(`/v1/certificates/${sign}/revoke`)
        .set('Authorization', admin())
        .send({ reason: 'again' })
        .expect(200);
      expect((await statusOf(sign)).revocationReason).toBe('key compromise');
    });

    it('for a security server and its certificates', async () => {
      const serials = await register('MN/GOV/7000001/ss2');
      const res = await request(gateway.app)
        .post('/v1/security-servers/MN/GOV/7000001/ss2/revoke')
        .set('Authorization', admin())
        .send({ reason: 'decommissioned' })
        .expect(200);
      expect(res.body.revokedCertificates.sort()).toEqual([serials.sign, serials.auth].sort());
      expect((await statusOf(serials.auth)).status).toBe('revoked');
      // A revoked server cannot come back through a new registration.
      const again = await submit('MN/GOV/7000001/ss2', await issueToken('MN/GOV/7000001/ss2'));
      await request(gateway.app)
        .post(`/v1/registrations/${again.body.id}/approve`)
        .set('Authorization', admin())
        .expect(409);
    });

    it('for a member, its servers and all their certificates', async () => {
      const serials = await register('MN/COM/5550001/ss2');
      await request(gateway.app)
        .post('/v1/members/MN/COM/5550001/revoke')
        .set('Authorization', admin())
        .send({ reason: 'dissolved' })
        .expect(200);
      expect((await statusOf(serials.sign)).status).toBe('revoked');
      const [serverRow] = await gateway.store.query<{ status: string }>(
        "SELECT status FROM security_servers WHERE id = 'MN/COM/5550001/ss2'",
      );
      expect(serverRow?.status).toBe('revoked');
      await request(gateway.app)
        .post('/v1/registration-tokens')
        .set('Authorization', admin())
        .send({ securityServerId: 'MN/COM/5550001/ss3' })
        .expect(409);
    });
  });
});
