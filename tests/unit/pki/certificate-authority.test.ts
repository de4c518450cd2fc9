import { X509Certificate } from 'node:crypto';

import {
  CertificateAuthority,
  createCsr,
  generateKeyPair,
  privateKeyToPem,
  type Certificate,
} from '../../../core/src/pki';
import { createTestCa, issueTestCertificate, PKI_DATES } from '../../helpers/pki-fixtures';
import { ortooError } from '../../helpers/pki-matchers';
import { createTempDir, epochSeconds, openssl, type TempDir } from '../../helpers/pki-openssl';

const ORGANIZATION = 'Улсын бүртгэлийн ерөнхий газар';

// Changes text inside a PEM CSR's DER, as a forger would.
function forge(csrPem: string, from: string, to: string): string {
  const der = Buffer.from(csrPem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  der.write(to, der.indexOf(from), 'latin1');
  return `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
}

describe('CertificateAuthority', () => {
  let ca: CertificateAuthority;
  let foreignCa: CertificateAuthority;
  let sign: Certificate;
  let auth: Certificate;
  let rsaAuth: Certificate;
  let dir: TempDir;

  beforeAll(() => {
    ca = createTestCa();
    foreignCa = createTestCa('Foreign CA');
    sign = issueTestCertificate(ca, { profile: 'sign', commonName: 'MN/GOV/1001' }).certificate;
    auth = issueTestCertificate(ca, {
      profile: 'auth',
      commonName: 'ss1.civil-registry',
      dnsNames: ['localhost'],
      ipAddresses: ['127.0.0.1'],
    }).certificate;
    rsaAuth = issueTestCertificate(ca, {
      profile: 'auth',
      commonName: 'ss2.tax',
      keyType: 'rsa-2048',
      dnsNames: ['ss2.tax.local'],
    }).certificate;
    dir = createTempDir();
  });

  afterAll(() => dir.remove());

  describe('create', () => {
    it('makes a self-signed CA certificate that may only sign certificates and CRLs', () => {
      const certificate = ca.certificate;
      expect(certificate.isCa).toBe(true);
      expect(certificate.keyUsage).toEqual(['keyCertSign', 'cRLSign']);
      expect(certificate.subject).toEqual({
        commonName: 'Örtöö Test CA',
        organization: 'Örtöö',
        organizationalUnit: 'MN-TEST',
        country: 'MN',
      });
      expect(certificate.issuer).toEqual(certificate.subject);
      expect(certificate.isIssuedBy(certificate)).toBe(true);
      expect(certificate.subjectKeyIdentifier).toMatch(/^[0-9a-f]{40}$/);
      expect(certificate.notBefore).toEqual(PKI_DATES.caNotBefore);
      expect(certificate.notAfter).toEqual(PKI_DATES.caNotAfter);
      expect(ca.instance).toBe('MN-TEST');
    });

    it('marks basic constraints and key usage critical, path length 0, as openssl reads them', () => {
      const text = openssl(['x509', '-noout', '-text'], ca.certificate.pem).stdout;
      expect(text).toMatch(/Basic Constraints: critical\s+CA:TRUE, pathlen:0/);
      expect(text).toMatch(/Key Usage: critical\s+Certificate Sign, CRL Sign/);
      expect(text).toContain('Subject Key Identifier');
      expect(text).toContain('Signature Algorithm: ecdsa-with-SHA256');
    });

    it('can use an RSA key', () => {
      const rsaCa = CertificateAuthority.create({
        instance: 'MN-TEST',
        commonName: 'RSA CA',
        notBefore: PKI_DATES.caNotBefore,
        notAfter: PKI_DATES.caNotAfter,
        keyType: 'rsa-2048',
      });
      expect(rsaCa.certificate.publicKey.asymmetricKeyType).toBe('rsa');
      const { certificate } = issueTestCertificate(rsaCa, { profile: 'sign', commonName: 'MN/GOV/1001' });
      expect(certificate.isIssuedBy(rsaCa.certificate)).toBe(true);
      expect(openssl(['x509', '-noout', '-text'], certificate.pem).stdout).toContain(
        'sha256WithRSAEncryption',
      );
    });

    it('refuses a validity that ends before it begins', () => {
      expect(() =>
        CertificateAuthority.create({
          instance: 'MN-TEST',
          commonName: 'CA',
          notBefore: PKI_DATES.caNotAfter,
          notAfter: PKI_DATES.caNotBefore,
        }),
      ).toThrow(ortooError('BadRequest'));
    });
  });

  describe('fromPem', () => {
    it('loads a CA that issues as the original did', () => {
      const loaded = CertificateAuthority.fromPem(ca.certificate.pem, privateKeyToPem(ca.privateKey));
      expect(loaded.certificate.thumbprint).toBe(ca.certificate.thumbprint);
      const { certificate } = issueTestCertificate(loaded, { profile: 'sign', commonName: 'MN/GOV/1002' });
      expect(certificate.isIssuedBy(ca.certificate)).toBe(true);
    });

    it('refuses a key that is not the CA certificate’s', () => {
      expect(() =>
        CertificateAuthority.fromPem(ca.certificate.pem, privateKeyToPem(foreignCa.privateKey)),
      ).toThrow(ortooError('InvalidCertificate', 'does not match'));
    });

    it('refuses an end-entity certificate as a CA', () => {
      const { keyPair, certificate } = issueTestCertificate(ca, {
        profile: 'sign',
        commonName: 'MN/GOV/1003',
      });
      expect(() =>
        CertificateAuthority.fromPem(certificate.pem, privateKeyToPem(keyPair.privateKey)),
      ).toThrow(ortooError('InvalidCertificate', 'Not a CA'));
    });
  });

  describe('issue', () => {
    it('issues sign certificates for signing and non-repudiation only', () => {
      expect(sign.isCa).toBe(false);
      expect(sign.keyUsage).toEqual(['digitalSignature', 'nonRepudiation']);
      expect(sign.extKeyUsage).toEqual([]);
      expect(sign.dnsNames).toEqual([]);
      expect(sign.subject).toEqual({ commonName: 'MN/GOV/1001', organization: ORGANIZATION, country: 'MN' });
      expect(sign.issuer).toEqual(ca.certificate.subject);
      expect(sign.authorityKeyIdentifier).toBe(ca.certificate.subjectKeyIdentifier);
      expect(sign.subjectKeyIdentifier).toMatch(/^[0-9a-f]{40}$/);
      expect(sign.notBefore).toEqual(PKI_DATES.notBefore);
      expect(sign.notAfter).toEqual(PKI_DATES.notAfter);

      const x509 = new X509Certificate(sign.der);
      expect(x509.ca).toBe(false);
      expect(x509.verify(ca.certificate.publicKey)).toBe(true);
      expect(x509.checkIssued(new X509Certificate(ca.certificate.der))).toBe(true);
    });

    it('issues auth certificates for TLS server and client, naming the hosts of the CSR', () => {
      expect(auth.keyUsage).toEqual(['digitalSignature']);
      expect(auth.extKeyUsage).toEqual(['serverAuth', 'clientAuth']);
      expect(auth.dnsNames).toEqual(['localhost']);
      expect(auth.ipAddresses).toEqual(['127.0.0.1']);
      expect(rsaAuth.keyUsage).toEqual(['digitalSignature', 'keyEncipherment']);

      const x509 = new X509Certificate(auth.der);
      expect(x509.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']); // Node names the EKU "keyUsage"
      expect(x509.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1');
      expect(x509.checkHost('localhost')).toBe('localhost');
      expect(x509.checkIP('127.0.0.1')).toBe('127.0.0.1');
    });

    it('writes the extensions openssl expects of each profile', () => {
      const signText = openssl(['x509', '-noout', '-text'], sign.pem).stdout;
      expect(signText).toMatch(/Basic Constraints: critical\s+CA:FALSE/);
      expect(signText).toMatch(/Key Usage: critical\s+Digital Signature, Non Repudiation\n/);
      expect(signText).not.toContain('Extended Key Usage');
      expect(signText).toContain('Authority Key Identifier');

      const authText = openssl(['x509', '-noout', '-text'], auth.pem).stdout;
      expect(authText).toMatch(/Key Usage: critical\s+Digital Signature\n/);
      expect(authText).toMatch(
        /Extended Key Usage:\s+TLS Web Server Authentication, TLS Web Client Authentication/,
      );
      expect(authText).toMatch(/Subject Alternative Name:\s+DNS:localhost, IP Address:127.0.0.1/);

      const rsaText = openssl(['x509', '-noout', '-text'], rsaAuth.pem).stdout;
      expect(rsaText).toMatch(/Key Usage: critical\s+Digital Signature, Key Encipherment/);
    });

    it('makes certificates openssl verifies against the CA, for the purposes of each profile', () => {
      const caFile = dir.write('ca.pem', ca.certificate.pem);
      const at = epochSeconds(PKI_DATES.during);
      const verify = (certificate: Certificate, ...purpose: string[]) =>
        openssl([
          'verify',
          '-CAfile',
          caFile,
          '-attime',
          at,
          ...purpose,
          dir.write('cert.pem', certificate.pem),
        ]);

      expect(verify(sign).status).toBe(0);
      expect(verify(auth, '-purpose', 'sslserver').status).toBe(0);
      expect(verify(auth, '-purpose', 'sslclient').status).toBe(0);
      expect(verify(rsaAuth, '-purpose', 'sslserver').status).toBe(0);
    });

    it('makes certificates openssl refuses against another CA and outside their validity', () => {
      const foreignFile = dir.write('foreign-ca.pem', foreignCa.certificate.pem);
      const caFile = dir.write('ca.pem', ca.certificate.pem);
      const certFile = dir.write('auth.pem', auth.pem);

      const foreign = openssl([
        'verify',
        '-CAfile',
        foreignFile,
        '-attime',
        epochSeconds(PKI_DATES.during),
        certFile,
      ]);
      const late = openssl(['verify', '-CAfile', caFile, '-attime', epochSeconds(PKI_DATES.after), certFile]);

      expect(foreign.status).not.toBe(0);
      expect(late.status).not.toBe(0);
      expect(late.stdout + late.stderr).toContain('certificate has expired');
    });

    it('uses the serial number given, or a fresh random one', () => {
      const csrPem = createCsr({ subject: { commonName: 'MN/GOV/1004' }, keyPair: generateKeyPair() });
      const issue = (serialNumber?: string) =>
        ca.issue({
          csrPem,
          profile: 'sign',
          notBefore: PKI_DATES.notBefore,
          notAfter: PKI_DATES.notAfter,
          serialNumber,
        });

      const given = issue('00FF01');
      expect(given.serialNumber).toBe('ff01');
      expect(new X509Certificate(given.der).serialNumber).toBe('FF01');
      expect(issue().serialNumber).not.toBe(issue().serialNumber);
      expect(issue().serialNumber).toMatch(/^[0-9a-f]{1,32}$/);
    });

    it('refuses a validity outside the CA’s, a bad serial and a forged CSR', () => {
      const csrPem = createCsr({ subject: { commonName: 'MN/GOV/1005' }, keyPair: generateKeyPair() });
      const issue = (overrides: object) => () =>
        ca.issue({
          csrPem,
          profile: 'sign',
          notBefore: PKI_DATES.notBefore,
          notAfter: PKI_DATES.notAfter,
          ...overrides,
        });

      expect(issue({ notAfter: new Date('2036-01-01T00:00:00Z') })).toThrow(
        ortooError('BadRequest', 'within the CA'),
      );
      expect(issue({ notBefore: new Date('2024-01-01T00:00:00Z') })).toThrow(
        ortooError('BadRequest', 'within the CA'),
      );
      expect(issue({ notBefore: PKI_DATES.notAfter, notAfter: PKI_DATES.notBefore })).toThrow(
        ortooError('BadRequest'),
      );
      expect(issue({ serialNumber: '0' })).toThrow(ortooError('BadRequest'));
      expect(issue({ serialNumber: 'ff'.repeat(20) })).toThrow(ortooError('BadRequest'));
      expect(issue({ csrPem: forge(csrPem, 'MN/GOV/1005', 'MN/GOV/1006') })).toThrow(
        ortooError('BadRequest', 'signature does not verify'),
      );
    });
  });

  describe('issueForPublicKey', () => {
    it('certifies a key without a CSR, with the same profiles', () => {
      const { publicKey } = generateKeyPair();
      const certificate = ca.issueForPublicKey({
        subject: { commonName: 'gateway', organization: 'Örtöö' },
        publicKey,
        profile: 'auth',
        notBefore: PKI_DATES.notBefore,
        notAfter: PKI_DATES.notAfter,
        dnsNames: ['gateway.local'],
        ipAddresses: ['::1'],
      });

      expect(certificate.publicKey.equals(publicKey)).toBe(true);
      expect(certificate.extKeyUsage).toEqual(['serverAuth', 'clientAuth']);
      expect(certificate.dnsNames).toEqual(['gateway.local']);
      expect(certificate.ipAddresses).toEqual(['::1']);
      expect(certificate.isIssuedBy(ca.certificate)).toBe(true);
    });

    it('leaves the subjectAltName out of auth certificates without names', () => {
      const certificate = ca.issueForPublicKey({
        subject: { commonName: 'client-only' },
        publicKey: generateKeyPair().publicKey,
        profile: 'auth',
        notBefore: PKI_DATES.notBefore,
        notAfter: PKI_DATES.notAfter,
      });
      expect(openssl(['x509', '-noout', '-text'], certificate.pem).stdout).not.toContain(
        'Subject Alternative Name',
      );
    });
  });
});
