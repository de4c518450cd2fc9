import { createPublicKey } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  CertificateAuthority,
  OrtooError,
  generateKeyPair,
  parseCsr,
  privateKeyFromPem,
  privateKeyToPem,
  verifyDetachedJws,
  type Certificate,
  type KeyPair,
} from '../../../core/src';
import { loadSecurityServerConfig, type SecurityServerConfig } from '../../../security-server/src/config';
import {
  initServerFolder,
  loadIdentity,
  serverFolderPaths,
  writePendingRegistration,
  type InitServerFolderParams,
} from '../../../security-server/src/server-folder';
import { PKI_DATES, createTestCa } from '../../helpers/pki-fixtures';

const SERVER_ID = 'MN/GOV/7000001/ss1';

/** The gateway's side of the test PKI: the instance CA and its configuration-signing certificate. */
function gatewayPki(commonName = 'Örtöö Test CA') {
  const ca = createTestCa(commonName);
  const confKeys = generateKeyPair();
  const anchor = ca.issueForPublicKey({
    subject: { commonName: 'MN global configuration', organization: 'Örtöö' },
    publicKey: confKeys.publicKey,
    profile: 'sign',
    notBefore: PKI_DATES.notBefore,
    notAfter: PKI_DATES.notAfter,
  });
  return { ca, anchor };
}

function params(anchor: Certificate, extra: Partial<InitServerFolderParams> = {}): InitServerFolderParams {
  return {
    serverId: SERVER_ID,
    gatewayUrl: 'http://127.0.0.1:4400',
    exchangeUrl: 'https://127.0.0.1:4443',
    anchorPem: anchor.pem,
    ...extra,
  };
}

/** What the CA would issue on approval, for the keys in the folder (or others). */
function issue(
  ca: CertificateAuthority,
  dir: string,
  options: { signKey?: KeyPair; authCommonName?: string; notAfter?: Date } = {},
) {
  const paths = serverFolderPaths(dir);
  const publicOf = (file: string) => createPublicKey(privateKeyFromPem(readFileSync(file, 'utf8')));
  const validity = { notBefore: PKI_DATES.notBefore, notAfter: options.notAfter ?? PKI_DATES.notAfter };
  const sign = ca.issueForPublicKey({
    subject: { commonName: '7000001', organizationalUnit: 'MN/GOV', organization: 'Цахим Үндэстэн' },
    publicKey: options.signKey?.publicKey ?? publicOf(paths.signKey),
    profile: 'sign',
    ...validity,
  });
  const auth = ca.issueForPublicKey({
    subject: {
      commonName: options.authCommonName ?? 'ss1',
      organizationalUnit: 'MN/GOV/7000001',
      organization: 'Цахим Үндэстэн',
    },
    publicKey: publicOf(paths.authKey),
    profile: 'auth',
    ipAddresses: ['127.0.0.1'],
    ...validity,
  });
  writeFileSync(paths.signCertificate, sign.pem);
  writeFileSync(paths.authCertificate, auth.pem);
  writeFileSync(paths.caCertificate, ca.certificate.pem);
  return { sign, auth };
}

describe('the server folder', () => {
  let root: string;
  let dir: string;
  const pki = gatewayPki();

  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'ortoo-ss-folder-'));
    dir = path.join(root, 'ss1');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const config = (): SecurityServerConfig => loadSecurityServerConfig({ dir, env: {} });

  describe('initServerFolder', () => {
    it('makes keys readable by the owner only, CSRs for them, the anchor and a starter config', () => {
      const made = initServerFolder(dir, params(pki.anchor, { providerAddress: 'https://ss1.example:5500' }));
      const paths = serverFolderPaths(dir);
      expect(made).toMatchObject({
        serverId: SERVER_ID,
        providerAddress: 'https://ss1.example:5500',
        requestedNames: { dnsNames: ['ss1.example'], ipAddresses: [] },
        anchorThumbprint: pki.anchor.thumbprint,
      });
      for (const key of [paths.signKey, paths.authKey]) {
        expect(statSync(key).mode & 0o777).toBe(0o600);
        expect(privateKeyFromPem(readFileSync(key, 'utf8')).asymmetricKeyDetails?.namedCurve).toBe(
          'prime256v1',
        );
      }
      expect(statSync(path.dirname(paths.signKey)).mode & 0o777).toBe(0o700);
      const signCsr = parseCsr(readFileSync(paths.signCsr, 'utf8'));
      const authCsr = parseCsr(readFileSync(paths.authCsr, 'utf8'));
      expect(
        signCsr.publicKey.equals(createPublicKey(privateKeyFromPem(readFileSync(paths.signKey, 'utf8')))),
      ).toBe(true);
      expect(
        authCsr.publicKey.equals(createPublicKey(privateKeyFromPem(readFileSync(paths.authKey, 'utf8')))),
      ).toBe(true);
      expect(authCsr.dnsNames).toEqual(['ss1.example']);
      expect(readFileSync(paths.anchor, 'utf8')).toBe(pki.anchor.pem);
      expect(JSON.parse(readFileSync(paths.config, 'utf8'))).toEqual({
        instance: 'MN',
        serverId: SERVER_ID,
        gateway: { url: 'http://127.0.0.1:4400', exchangeUrl: 'https://127.0.0.1:4443' },
        clientProxy: { host: '127.0.0.1', port: 8080 },
        providerProxy: { host: '127.0.0.1', port: 5500, address: 'https://ss1.example:5500' },
        dataDir: 'db',
        services: [],
        localSystems: [],
      });
      expect(config().dataDir).toBe(path.join(dir, 'db'));
      expect(existsSync(paths.signCertificate)).toBe(false);
    });

    it('defaults the provider address to the provider port on 127.0.0.1, named by IP in the TLS CSR', () => {
      const made = initServerFolder(dir, params(pki.anchor, { clientPort: 18080, providerPort: 15500 }));
      expect(made.providerAddress).toBe('https://127.0.0.1:15500');
      expect(made.requestedNames).toEqual({ dnsNames: [], ipAddresses: ['127.0.0.1'] });
      expect(config()).toMatchObject({ clientProxy: { port: 18080 }, providerProxy: { port: 15500 } });
    });

    it('refuses to overwrite a server folder unless forced; forced, makes new keys and keeps the message log', () => {
      initServerFolder(dir, params(pki.anchor));
      const paths = serverFolderPaths(dir);
      const firstKey = readFileSync(paths.signKey, 'utf8');
      issue(pki.ca, dir);
      mkdirSync(paths.dataDir);
      writeFileSync(path.join(paths.dataDir, 'PG_VERSION'), '17');

      expect(() => initServerFolder(dir, params(pki.anchor))).toThrow(
        expect.objectContaining({
          code: 'Conflict',
          message: expect.stringContaining('is already a security server folder (config.json exists)'),
        }),
      );
      expect(readFileSync(paths.signKey, 'utf8')).toBe(firstKey);

      initServerFolder(dir, params(pki.anchor, { force: true }));
      expect(readFileSync(paths.signKey, 'utf8')).not.toBe(firstKey);
      expect(statSync(paths.signKey).mode & 0o777).toBe(0o600);
      expect(existsSync(paths.signCertificate)).toBe(false);
      expect(readFileSync(path.join(paths.dataDir, 'PG_VERSION'), 'utf8')).toBe('17');
    });

    it('takes an existing empty folder', () => {
      mkdirSync(dir);
      initServerFolder(dir, params(pki.anchor));
      expect(existsSync(serverFolderPaths(dir).config)).toBe(true);
    });

    it('refuses an anchor that is not a certificate, or is the instance CA', () => {
      expect(() => initServerFolder(dir, params(pki.anchor, { anchorPem: 'not a certificate' }))).toThrow(
        /trust anchor is not a PEM certificate/,
      );
      expect(() => initServerFolder(dir, params(pki.anchor, { anchorPem: pki.ca.certificate.pem }))).toThrow(
        /trust anchor is a CA certificate: give the gateway's global-configuration signing certificate/,
      );
      expect(existsSync(dir)).toBe(false);
    });

    it('refuses values that would make an invalid configuration, writing nothing', () => {
      expect(() =>
        initServerFolder(dir, params(pki.anchor, { exchangeUrl: 'http://127.0.0.1:4443' })),
      ).toThrow(/gateway\.exchangeUrl .*must be https:\/\//);
      expect(() => initServerFolder(dir, params(pki.anchor, { serverId: 'MN/GOV/7000001' }))).toThrow(
        /serverId must be a security server id/,
      );
      expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
    });
  });

  describe('loadIdentity', () => {
    const now = PKI_DATES.during;

    beforeEach(() => {
      initServerFolder(dir, params(pki.anchor));
    });

    /** The InvalidConfiguration message loading the identity gives. */
    function refusal(at = now): string {
      try {
        loadIdentity(dir, config(), { now: at });
      } catch (error) {
        expect(error).toBeInstanceOf(OrtooError);
        expect((error as OrtooError).code).toBe('InvalidConfiguration');
        return (error as OrtooError).message;
      }
      throw new Error('the identity was accepted');
    }

    it("gives the server's identity: a signer named by the sign certificate, the TLS key and certificate, the CA", () => {
      const { sign, auth } = issue(pki.ca, dir);
      const identity = loadIdentity(dir, config(), { now });
      expect(identity).toMatchObject({
        serverId: SERVER_ID,
        memberId: 'MN/GOV/7000001',
        tls: {
          certificatePem: auth.pem,
          keyPem: readFileSync(serverFolderPaths(dir).authKey, 'utf8'),
          thumbprint: auth.thumbprint,
        },
        caPem: [pki.ca.certificate.pem],
      });
      expect(identity.signCertificate.thumbprint).toBe(sign.thumbprint);
      expect(identity.signer.thumbprint).toBe(sign.thumbprint);
      const jws = identity.signer.sign('сайн уу');
      expect(
        verifyDetachedJws('сайн уу', jws, (tp) => (tp === sign.thumbprint ? sign : undefined)).signer,
      ).toBe(sign);
      expect(createPublicKey(privateKeyFromPem(identity.tls.keyPem)).equals(auth.publicKey)).toBe(true);
    });

    it('names a missing key and says to run init', () => {
      issue(pki.ca, dir);
      rmSync(serverFolderPaths(dir).authKey);
      expect(refusal()).toMatch(/^keys\/auth\.key in .* missing: run `ortoo ss init .*` first$/);
    });

    it('names a missing certificate and says to register', () => {
      expect(refusal()).toMatch(
        /^certs\/sign\.pem in .* missing: run `ortoo ss register .* --token …` first$/,
      );
      issue(pki.ca, dir);
      rmSync(serverFolderPaths(dir).caCertificate);
      expect(refusal()).toMatch(/^certs\/ca\.pem in .* missing: run `ortoo ss register .* --token …` first$/);
    });

    it('says a pending registration awaits approval', () => {
      writePendingRegistration(serverFolderPaths(dir), {
        id: 'abc-123',
        submittedAt: '2025-09-01T00:00:00.000Z',
      });
      expect(refusal()).toMatch(
        /certs\/sign\.pem in .* missing: registration abc-123 \(submitted 2025-09-01T00:00:00.000Z\) awaits .* approval: run `ortoo ss register .*` to wait for it/,
      );
    });

    it('refuses a certificate of another key', () => {
      issue(pki.ca, dir, { signKey: generateKeyPair() });
      expect(refusal()).toMatch(
        /^certs\/sign\.pem in .* certifies another key than keys\/sign\.key: register again/,
      );
    });

    it('refuses certificates that do not chain to certs/ca.pem', () => {
      issue(pki.ca, dir);
      writeFileSync(serverFolderPaths(dir).caCertificate, createTestCa('Another CA').certificate.pem);
      expect(refusal()).toMatch(
        /^certs\/sign\.pem in .* does not pass the check against certs\/ca\.pem: Certificate is not issued by a trusted CA/,
      );
    });

    it('refuses an expired certificate', () => {
      issue(pki.ca, dir);
      expect(refusal(PKI_DATES.after)).toMatch(/certs\/sign\.pem .* Certificate has expired: register again/);
    });

    it('refuses a certificate of another server', () => {
      issue(pki.ca, dir, { authCommonName: 'ss2' });
      expect(refusal()).toMatch(
        /^certs\/auth\.pem in .* names CN=ss2, OU=MN\/GOV\/7000001, not server MN\/GOV\/7000001\/ss1 \(serverId\)/,
      );
    });

    it('refuses a key file that is not a key, and a CA file that is not a CA', () => {
      issue(pki.ca, dir);
      const paths = serverFolderPaths(dir);
      writeFileSync(paths.caCertificate, readFileSync(paths.signCertificate));
      expect(refusal()).toMatch(/^certs\/ca\.pem in .* is not a CA certificate/);
      writeFileSync(
        paths.signKey,
        privateKeyToPem(generateKeyPair('rsa-2048').privateKey).replace('PRIVATE', 'PUBLIC'),
      );
      expect(refusal()).toMatch(/^keys\/sign\.key in .* is not a usable private key/);
    });
  });
});
