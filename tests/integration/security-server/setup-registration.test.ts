/**
 * A security server registers with a real gateway (PGlite), listening on a
 * free port: CSRs out, the administrator's decision through the admin API,
 * certificates in the server folder.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { OrtooError, generateKeyPair, parseCertificate, verifyCertificate } from '../../../core/src';
import { loadSecurityServerConfig, type SecurityServerConfig } from '../../../security-server/src/config';
import { registerServer, type RegisterOptions } from '../../../security-server/src/registration-client';
import {
  initServerFolder,
  loadIdentity,
  readPendingRegistration,
  serverFolderPaths,
} from '../../../security-server/src/server-folder';
import { startGateway, type GatewayHarness } from '../../helpers/gateway-harness';
import { PKI_DATES, createTestCa } from '../../helpers/pki-fixtures';
import { seedStandardMembers } from '../../helpers/registry-fixtures';

const MEMBER = 'MN/GOV/7000001';

describe('registering a security server with the gateway', () => {
  let gateway: GatewayHarness;
  let server: Server;
  let url: string;
  let root: string;
  let anchorPem: string;
  let serial = 0;

  beforeAll(async () => {
    gateway = await startGateway('pglite');
    await seedStandardMembers(gateway.store);
    server = await new Promise((resolve, reject) => {
      const listening = gateway.app.listen(0, '127.0.0.1', (error?: Error) =>
        error === undefined ? resolve(listening) : reject(error),
      );
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    root = mkdtempSync(path.join(tmpdir(), 'ortoo-ss-register-'));
    anchorPem = readFileSync(path.join(gateway.certsDir, 'global-conf-signing.pem'), 'utf8');
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await gateway.close();
    rmSync(root, { recursive: true, force: true });
  });

  /** A fresh server folder for a fresh server id of MN/GOV/7000001, and its configuration. */
  function newServer(options: { anchorPem?: string; gatewayUrl?: string } = {}) {
    serial += 1;
    const serverId = `${MEMBER}/ss${serial}`;
    const dir = path.join(root, `ss${serial}`);
    initServerFolder(dir, {
      serverId,
      gatewayUrl: options.gatewayUrl ?? url,
      exchangeUrl: 'https://127.0.0.1:4443',
      anchorPem: options.anchorPem ?? anchorPem,
      providerAddress: `https://ss${serial}.e-mongolia.example:5500`,
    });
    const config: SecurityServerConfig = loadSecurityServerConfig({ dir, env: {} });
    return { serverId, dir, config };
  }

  async function issueToken(securityServerId: string): Promise<string> {
    const res = await request(gateway.app)
      .post('/v1/registration-tokens')
      .set('Authorization', gateway.admin)
      .send({ securityServerId })
      .expect(201);
    return res.body.token as string;
  }

  /** Waits for the folder to record its submission, and returns the registration's id. */
  async function submittedId(dir: string): Promise<string> {
    for (let tries = 0; tries < 200; tries += 1) {
      const pending = readPendingRegistration(serverFolderPaths(dir));
      if (pending !== undefined) return pending.id;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error('the registration was never submitted');
  }

  const decide = (id: string, decision: 'approve' | 'reject', body: object = {}) =>
    request(gateway.app)
      .post(`/v1/registrations/${id}/${decision}`)
      .set('Authorization', gateway.admin)
      .send(body)
      .expect(200);

  const fast: RegisterOptions = { pollIntervalMs: 25, timeoutMs: 10_000 };

  it('submits the CSRs, waits for the approval and stores certificates the identity loads from', async () => {
    const { serverId, dir, config } = newServer();
    const waiting: string[] = [];
    const registering = registerServer(dir, config, {
      ...fast,
      token: await issueToken(serverId),
      onWaiting: (pending) => waiting.push(pending.id),
    });
    const id = await submittedId(dir);
    const shown = await request(gateway.app)
      .get(`/v1/registrations/${id}`)
      .set('Authorization', gateway.admin)
      .expect(200);
    expect(shown.body).toMatchObject({
      securityServerId: serverId,
      address: config.providerProxy.address,
      status: 'pending',
      requestedNames: { dnsNames: [`ss${serial}.e-mongolia.example`], ipAddresses: [] },
    });
    await decide(id, 'approve');

    const outcome = await registering;
    expect(outcome).toMatchObject({ status: 'approved', id, resumed: false });
    expect(waiting).toEqual([id]);
    const paths = serverFolderPaths(dir);
    expect(existsSync(paths.registration)).toBe(false);
    const ca = parseCertificate(readFileSync(paths.caCertificate, 'utf8'));
    expect(ca.thumbprint).toBe(gateway.deps.trust.ca.certificate.thumbprint);
    const sign = parseCertificate(readFileSync(paths.signCertificate, 'utf8'));
    const auth = parseCertificate(readFileSync(paths.authCertificate, 'utf8'));
    verifyCertificate(auth, { trustAnchors: [ca], at: new Date(), usage: 'auth' });
    expect(auth.dnsNames).toEqual([`ss${serial}.e-mongolia.example`]);

    const identity = loadIdentity(dir, config);
    if (outcome.status !== 'approved') throw new Error('not approved');
    expect(outcome.identity.signCertificate.thumbprint).toBe(sign.thumbprint);
    expect(identity).toMatchObject({ serverId, memberId: MEMBER, tls: { thumbprint: auth.thumbprint } });
    expect(identity.signer.thumbprint).toBe(sign.thumbprint);

    const certificates = await request(gateway.app)
      .get(`/v1/certificates?server=${encodeURIComponent(serverId)}&status=active`)
      .set('Authorization', gateway.auditor)
      .expect(200);
    expect(certificates.body.items.map((c: { thumbprint: string }) => c.thumbprint).sort()).toEqual(
      [sign.thumbprint, auth.thumbprint].sort(),
    );
  });

  it('leaves a timed-out wait pending, and resumes it without submitting again', async () => {
    const { serverId, dir, config } = newServer();
    const first = await registerServer(dir, config, {
      ...fast,
      token: await issueToken(serverId),
      timeoutMs: 150,
    });
    expect(first).toMatchObject({ status: 'pending', resumed: false });
    const pending = readPendingRegistration(serverFolderPaths(dir));
    expect(pending).toEqual({ id: first.id, submittedAt: expect.any(String) });
    expect(() => loadIdentity(dir, config)).toThrow(
      new RegExp(`registration ${first.id} .* awaits the gateway administrator's approval`),
    );

    // A token given again is not used: the pending registration is waited for.
    const resuming = registerServer(dir, config, { ...fast, token: 'ortoo_reg_unused' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await decide(first.id, 'approve');
    expect(await resuming).toMatchObject({ status: 'approved', id: first.id, resumed: true });

    const [{ count }] = (await gateway.store.query<{ count: string }>(
      'SELECT count(*)::text AS count FROM registration_requests WHERE security_server_id = $1',
      [serverId],
    )) as [{ count: string }];
    expect(count).toBe('1');
  });

  it('with wait false, submits and returns at once', async () => {
    const { serverId, dir, config } = newServer();
    const outcome = await registerServer(dir, config, { token: await issueToken(serverId), wait: false });
    expect(outcome).toMatchObject({ status: 'pending', resumed: false });
    expect(readPendingRegistration(serverFolderPaths(dir))?.id).toBe(outcome.id);
  });

  it('reports a rejection with its reason and forgets the registration', async () => {
    const { serverId, dir, config } = newServer();
    const registering = registerServer(dir, config, { ...fast, token: await issueToken(serverId) });
    const id = await submittedId(dir);
    await decide(id, 'reject', { reason: 'Unknown operator' });
    await expect(registering).rejects.toMatchObject({
      code: 'Forbidden',
      message: expect.stringContaining(
        `Registration ${id} was rejected by the gateway's administrator: Unknown operator`,
      ),
    });
    expect(existsSync(serverFolderPaths(dir).registration)).toBe(false);
    expect(existsSync(serverFolderPaths(dir).signCertificate)).toBe(false);
  });

  it("refuses a bad token with the gateway's error, recording nothing", async () => {
    const { dir, config } = newServer();
    await expect(registerServer(dir, config, { ...fast, token: 'ortoo_reg_wrong' })).rejects.toMatchObject({
      code: 'Unauthenticated',
      message: expect.stringContaining('Registration token is unknown, used, expired or for another server'),
    });
    expect(existsSync(serverFolderPaths(dir).registration)).toBe(false);
  });

  it('needs a token when nothing is pending', async () => {
    const { dir, config } = newServer();
    await expect(registerServer(dir, config, fast)).rejects.toMatchObject({
      code: 'BadRequest',
      message: expect.stringContaining('No registration is pending'),
    });
  });

  it('forgets a pending registration the gateway does not know', async () => {
    const { dir, config } = newServer();
    const paths = serverFolderPaths(dir);
    writeFileSync(
      paths.registration,
      JSON.stringify({ id: '00000000-0000-4000-8000-000000000000', submittedAt: '2025-09-01T00:00:00Z' }),
    );
    await expect(registerServer(dir, config, fast)).rejects.toMatchObject({
      code: 'NotFound',
      message: expect.stringContaining('register again with a new token'),
    });
    expect(existsSync(paths.registration)).toBe(false);
  });

  it('says when the gateway cannot be reached', async () => {
    const { dir, config } = newServer({ gatewayUrl: 'http://127.0.0.1:1' });
    const error = await registerServer(dir, config, { ...fast, token: 'ortoo_reg_x' }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(OrtooError);
    expect(error).toMatchObject({
      code: 'GatewayUnavailable',
      message: expect.stringContaining('Cannot reach the gateway at http://127.0.0.1:1/v1/registrations'),
    });
  });

  it("refuses certificates from a CA that did not issue the server's trust anchor", async () => {
    const other = createTestCa('Another instance CA').issueForPublicKey({
      subject: { commonName: 'MN global configuration' },
      publicKey: generateKeyPair().publicKey,
      profile: 'sign',
      notBefore: PKI_DATES.notBefore,
      notAfter: PKI_DATES.notAfter,
    });
    const { serverId, dir, config } = newServer({ anchorPem: other.pem });
    const registering = registerServer(dir, config, { ...fast, token: await issueToken(serverId) });
    await decide(await submittedId(dir), 'approve');
    await expect(registering).rejects.toMatchObject({
      code: 'InvalidCertificate',
      message: expect.stringContaining('did not issue the trust anchor'),
    });
    const paths = serverFolderPaths(dir);
    expect(existsSync(paths.signCertificate)).toBe(false);
    expect(existsSync(paths.registration)).toBe(false);
  });
});
