import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import request from 'supertest';
import {
  GlobalConfClient,
  createHttpsFetcher,
  createLogger,
  generateKeyPair,
  verifyGlobalConf,
  type Certificate,
  type CertificateAuthority,
  type GlobalConfFetcher,
  type SqlExecutor,
} from '../../../core/src';
import { GlobalConfPublisher } from '../../../gateway/src/global-conf/global-conf-publisher';
import { bumpRegistryVersion } from '../../../gateway/src/registry/registry-version';
import { STORE_ENGINES } from '../../helpers/store-engines';
import { startGateway, type GatewayHarness } from '../../helpers/gateway-harness';
import {
  insertCertificate,
  insertGroup,
  insertMembers,
  insertSecurityServers,
  insertSubsystems,
} from '../../helpers/registry-fixtures';
import { gatewayCertificatesOf } from '../../../gateway/src/trust/gateway-trust';

const PROVIDER = 'MN/GOV/9011311';
const CONSUMER = 'MN/GOV/7000001';
const SERVICE = `${PROVIDER}/civil-registry/person`;
const HOUR = 3600_000;

/** A signing certificate the instance CA issues now, as registration would. */
function issueSignCertificate(ca: CertificateAuthority, commonName: string): Certificate {
  const now = Date.now();
  return ca.issueForPublicKey({
    subject: { commonName, organization: 'Örtöö test' },
    publicKey: generateKeyPair().publicKey,
    profile: 'sign',
    notBefore: new Date(now - 30_000), // the CA itself dates from a minute before the gateway started
    notAfter: new Date(now + 24 * HOUR),
  });
}

/** Registry rows by direct SQL: two members, their servers and subsystems, a service, rights, a group. */
async function seedRegistry(tx: SqlExecutor, certificates: Certificate[]): Promise<void> {
  await insertMembers(tx, [
    { id: PROVIDER, name: 'Улсын бүртгэлийн ерөнхий газар' },
    { id: CONSUMER, name: 'Цахим үйлчилгээ' },
  ]);
  await insertSubsystems(tx, [`${PROVIDER}/civil-registry`, `${CONSUMER}/e-services`]);
  await insertSecurityServers(tx, [
    { id: `${PROVIDER}/ss1`, address: 'https://ss1.civil-registry.mn:5500' },
    { id: `${CONSUMER}/ss1`, address: 'https://ss1.e-services.mn:5500' },
  ]);
  const owners = [PROVIDER, CONSUMER];
  for (const [index, certificate] of certificates.entries()) {
    await insertCertificate(tx, {
      serial: certificate.serialNumber,
      kind: 'sign',
      securityServerId: `${owners[index] as string}/ss1`,
      thumbprint: certificate.thumbprint,
      subject: certificate.subject.commonName,
      pem: certificate.pem,
      notBefore: certificate.notBefore,
      notAfter: certificate.notAfter,
    });
  }
  await tx.query(
    `INSERT INTO services (service_id, version, provider_id, service_code, title, request_schema,
                           response_schema, request_schema_hash, response_schema_hash, timeout_ms,
                           max_attempts, backoff_ms, data_subject_pointer)
     VALUES ($1, '1', $2, 'person', 'Иргэний мэдээлэл', '{"type":"object"}', '{"type":"object"}',
             $3, $4, 30000, 5, 1000, '/registerNumber')`,
    [SERVICE, `${PROVIDER}/civil-registry`, 'R'.repeat(43), 'S'.repeat(43)],
  );
  await insertGroup(tx, 'MN/portals', [`${CONSUMER}/e-services`]);
  await tx.query(`INSERT INTO access_rights (service_id, client_id) VALUES ($1, $2)`, [
    SERVICE,
    `${CONSUMER}/e-services`,
  ]);
  await tx.query(`INSERT INTO access_rights (service_id, group_id) VALUES ($1, 'MN/portals')`, [SERVICE]);
  await bumpRegistryVersion(tx);
}

describe.each(STORE_ENGINES)('global configuration on %s', (engine) => {
  let gateway: GatewayHarness;
  let certificates: Certificate[];
  let dir: string;
  const clients: GlobalConfClient[] = [];

  const verify = (text: string, now = new Date()) =>
    verifyGlobalConf(text, { anchor: gateway.deps.trust.confCertificate, now, instance: 'MN' });

  const newClient = (url: string, options: { clock?: () => Date; fetch?: GlobalConfFetcher } = {}) => {
    const client = new GlobalConfClient({
      url,
      anchor: gateway.deps.trust.confCertificate,
      cacheFile: path.join(dir, 'global-conf.json'),
      instance: 'MN',
      logger: createLogger({ service: 'test', level: 'error', stream: new PassThrough() }),
      ...options,
    });
    clients.push(client);
    return client;
  };

  const listen = async (server: Server): Promise<string> => {
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return `127.0.0.1:${(server.address() as AddressInfo).port}`;
  };
  const close = async (server: Server) => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };

  beforeAll(async () => {
    gateway = await startGateway(engine);
    certificates = [
      issueSignCertificate(gateway.deps.trust.ca, 'provider ss1'),
      issueSignCertificate(gateway.deps.trust.ca, 'consumer ss1'),
    ];
    await gateway.store.transaction((tx) => seedRegistry(tx, certificates));
  });
  afterAll(() => gateway.close());
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'ortoo-global-conf-'));
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves a signed document without a token that verifies against the configuration-signing certificate', async () => {
    const res = await request(gateway.app).get('/v1/global-conf').expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/jose\+json/);
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.headers.etag).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
    const conf = verify(res.text);
    expect(conf.caCertificates).toEqual([gateway.deps.trust.ca.certificate.pem]);
    expect(conf.members.map((m) => [m.id, m.status])).toEqual(
      expect.arrayContaining([
        [PROVIDER, 'active'],
        [CONSUMER, 'active'],
      ]),
    );
    expect(conf.signCertificates.map((c) => c.thumbprint).sort()).toEqual(
      certificates.map((c) => c.thumbprint).sort(),
    );
    expect(conf.services).toEqual([
      expect.objectContaining({
        id: SERVICE,
        version: '1',
        dataSubjectPointer: '/registerNumber',
        enabled: true,
      }),
    ]);
    expect(conf.accessRights).toEqual([
      { serviceId: SERVICE, clientId: `${CONSUMER}/e-services` },
      { serviceId: SERVICE, groupId: 'MN/portals' },
    ]);
    expect(conf.groups).toEqual([{ id: 'MN/portals', members: [`${CONSUMER}/e-services`] }]);
  });

  it('answers 304 to If-None-Match with the current ETag, and the same ETag while nothing changes', async () => {
    const first = await request(gateway.app).get('/v1/global-conf').expect(200);
    const etag = first.headers.etag as string;
    const again = await request(gateway.app).get('/v1/global-conf').expect(200);
    expect(again.headers.etag).toBe(etag);
    const notModified = await request(gateway.app)
      .get('/v1/global-conf')
      .set('If-None-Match', etag)
      .expect(304);
    expect(notModified.headers.etag).toBe(etag);
    expect(notModified.text).toBe('');
    await request(gateway.app).get('/v1/global-conf').set('If-None-Match', `"other", W/${etag}`).expect(304);
    await request(gateway.app).get('/v1/global-conf').set('If-None-Match', '"other"').expect(200);
  });

  it('shows a revocation in the very next document', async () => {
    const before = await request(gateway.app).get('/v1/global-conf').expect(200);
    const revoked = certificates[1] as Certificate;
    await gateway.store.transaction(async (tx) => {
      await tx.query(
        `UPDATE certificates SET status = 'revoked', revoked_at = now(), revocation_reason = 'key compromise'
          WHERE serial = $1`,
        [revoked.serialNumber],
      );
      await bumpRegistryVersion(tx);
    });
    const after = await request(gateway.app)
      .get('/v1/global-conf')
      .set('If-None-Match', before.headers.etag as string)
      .expect(200);
    expect(after.headers.etag).not.toBe(before.headers.etag);
    const conf = verify(after.text);
    expect(conf.version).toBeGreaterThan(verify(before.text).version);
    expect(conf.signCertificates.map((c) => c.serial)).not.toContain(revoked.serialNumber);
    expect(conf.revokedCertificates).toEqual([
      expect.objectContaining({ serial: revoked.serialNumber, reason: 'key compromise' }),
    ]);
  });

  it('rebuilds after half the validity even when nothing changed', async () => {
    let now = new Date();
    const publisher = new GlobalConfPublisher({
      store: gateway.store,
      signer: gateway.deps.trust.confSigner,
      instance: 'MN',
      validitySeconds: 600,
      caCertificates: [gateway.deps.trust.ca.certificate.pem],
      gatewayCertificates: gatewayCertificatesOf(gateway.deps.trust),
      clock: () => now,
      logger: gateway.deps.logger,
    });
    const first = await publisher.current();
    now = new Date(now.getTime() + 299_000);
    expect((await publisher.current()).etag).toBe(first.etag);
    now = new Date(now.getTime() + 1_000);
    const second = await publisher.current();
    expect(second.etag).not.toBe(first.etag);
    expect(second.generatedAt).toEqual(now);
    expect(second.expiresAt).toEqual(new Date(now.getTime() + 600_000));
  });

  it('answers requests that arrive together with one document', async () => {
    await gateway.store.transaction((tx) => bumpRegistryVersion(tx));
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => request(gateway.app).get('/v1/global-conf').expect(200)),
    );
    expect(new Set(answers.map((res) => res.headers.etag)).size).toBe(1);
  });

  it('lets the client refuse a document with one byte of its payload or signature changed', async () => {
    const server = gateway.app.listen(0, '127.0.0.1');
    const host = await listen(server);
    try {
      for (const member of ['payload', 'signature'] as const) {
        const tampering: GlobalConfFetcher = async (url, init) => {
          const response = await fetch(url, init);
          const wire = JSON.parse(await response.text()) as Record<string, string>;
          const bytes = Buffer.from(wire[member] as string, 'base64url');
          bytes[20] = (bytes[20] ?? 0) ^ 0x01;
          const text = JSON.stringify({ ...wire, [member]: bytes.toString('base64url') });
          return { status: response.status, headers: response.headers, text: async () => text };
        };
        const client = newClient(`http://${host}/v1/global-conf`, { fetch: tampering });
        await client.start();
        expect(() => client.current()).toThrow(expect.objectContaining({ code: 'ConfigurationExpired' }));
        expect(await client.refresh()).toBe('failed');
      }
    } finally {
      await close(server);
    }
  });

  it('keeps serving the last good copy while the gateway is down, until it expires (and the tolerated clock skew passes)', async () => {
    let now = new Date();
    const server = gateway.app.listen(0, '127.0.0.1');
    const host = await listen(server);
    const client = newClient(`http://${host}/v1/global-conf`, { clock: () => now });
    try {
      await client.start();
      expect(client.current().instance).toBe('MN');
    } finally {
      await close(server);
    }
    const held = client.current();
    expect(await client.refresh()).toBe('failed');
    expect(client.current()).toBe(held);
    const unusable = Date.parse(held.expiresAt) + client.maxClockSkewMs;
    now = new Date(unusable - 1);
    expect(client.current()).toBe(held);
    now = new Date(unusable);
    expect(() => client.current()).toThrow(expect.objectContaining({ code: 'ConfigurationExpired' }));
  });

  it('lets a new client start from its cache file while the gateway is down', async () => {
    const server = gateway.app.listen(0, '127.0.0.1');
    const host = await listen(server);
    const url = `http://${host}/v1/global-conf`;
    try {
      await newClient(url).start();
    } finally {
      await close(server);
    }
    const restarted = newClient(url);
    await restarted.start();
    expect(restarted.current().signCertificates.length).toBeGreaterThan(0);
  });

  it('fetches over https trusting only the instance CA', async () => {
    const { certificate, keyPem } = gateway.deps.trust.tls;
    const server = https.createServer({ cert: certificate.pem, key: keyPem }, gateway.app);
    const host = await listen(server);
    try {
      const client = newClient(`https://${host}/v1/global-conf`, {
        fetch: createHttpsFetcher({ ca: gateway.deps.trust.ca.certificate.pem }),
      });
      await client.start();
      expect(client.current().instance).toBe('MN');
      expect(await client.refresh()).toBe('not-modified');
    } finally {
      await close(server);
    }
  });
});
