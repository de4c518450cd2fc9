import { X509Certificate } from 'node:crypto';

import {
  certificateThumbprint,
  normalizeSerialNumber,
  parseCertificate,
  privateKeyToPem,
  generateKeyPair,
  type Certificate,
  type CertificateAuthority,
} from '../../../core/src/pki';
import {
  createTestCa,
  issueTestCertificate,
  PKI_CLOCK_FREE_DATES,
  PKI_DATES,
} from '../../helpers/pki-fixtures';
import { ortooError } from '../../helpers/pki-matchers';
import { createTempDir, openssl, type TempDir } from '../../helpers/pki-openssl';

describe('Certificate', () => {
  let ca: CertificateAuthority;
  let certificate: Certificate;
  let dir: TempDir;

  beforeAll(() => {
    ca = createTestCa();
    certificate = issueTestCertificate(ca, {
      profile: 'auth',
      commonName: 'ss1.civil-registry',
      dnsNames: ['localhost'],
      ipAddresses: ['127.0.0.1'],
    }).certificate;
    dir = createTempDir();
  });

  afterAll(() => dir.remove());

  it('reads the same certificate from PEM and from DER', () => {
    const fromPem = parseCertificate(certificate.pem);
    const fromDer = parseCertificate(certificate.der);

    expect(fromPem.der.equals(certificate.der)).toBe(true);
    expect(fromDer.pem).toBe(certificate.pem);
    expect(fromPem.thumbprint).toBe(fromDer.thumbprint);
    expect(fromDer.subject).toEqual(fromPem.subject);
  });

  it('writes PEM with 64-column lines and LF line ends', () => {
    const lines = certificate.pem.trimEnd().split('\n');
    expect(lines[0]).toBe('-----BEGIN CERTIFICATE-----');
    expect(lines.at(-1)).toBe('-----END CERTIFICATE-----');
    expect(lines.slice(1, -2).every((line) => line.length === 64)).toBe(true);
    expect(certificate.pem).not.toContain('\r');
  });

  it('is known by the SHA-256 thumbprint of its DER, as openssl computes it', () => {
    const fingerprint = openssl(['x509', '-noout', '-fingerprint', '-sha256'], certificate.pem).stdout;
    const hex = fingerprint.replace(/^.*=/, '').replace(/[:\s]/g, '');

    expect(certificate.thumbprint).toBe(certificateThumbprint(certificate.der));
    expect(certificate.thumbprint).toBe(Buffer.from(hex, 'hex').toString('base64url'));
  });

  it('writes its serial number in the normalised form, whoever reads it', () => {
    const openSslSerial = openssl(['x509', '-noout', '-serial'], certificate.pem).stdout.replace(
      /^serial=|\s/g,
      '',
    );

    expect(certificate.serialNumber).toMatch(/^[1-9a-f][0-9a-f]*$/);
    expect(certificate.serialNumber).toBe(
      normalizeSerialNumber(new X509Certificate(certificate.der).serialNumber),
    );
    expect(certificate.serialNumber).toBe(normalizeSerialNumber(openSslSerial));
  });

  it('is valid from notBefore through notAfter, both inclusive', () => {
    expect(certificate.isValidAt(PKI_DATES.notBefore)).toBe(true);
    expect(certificate.isValidAt(PKI_DATES.notAfter)).toBe(true);
    expect(certificate.isValidAt(new Date(PKI_DATES.notBefore.getTime() - 1))).toBe(false);
    expect(certificate.isValidAt(new Date(PKI_DATES.notAfter.getTime() + 1000))).toBe(false);
  });

  it('reads validity dates from 2050 on, written as GeneralizedTime', () => {
    const longCa = createTestCa('Long CA', PKI_CLOCK_FREE_DATES);
    const long = issueTestCertificate(longCa, {
      profile: 'sign',
      commonName: 'MN/GOV/1001',
      ...PKI_CLOCK_FREE_DATES,
    });

    expect(long.certificate.notAfter).toEqual(PKI_CLOCK_FREE_DATES.notAfter);
    expect(new Date(new X509Certificate(long.certificate.der).validTo)).toEqual(
      PKI_CLOCK_FREE_DATES.notAfter,
    );
  });

  it('cannot be changed', () => {
    expect(Object.isFrozen(certificate.subject)).toBe(true);
    expect(Object.isFrozen(certificate.dnsNames)).toBe(true);
    expect(Object.isFrozen(certificate.keyUsage)).toBe(true);
    const notAfter = certificate.notAfter;
    notAfter.setFullYear(2100);
    expect(certificate.notAfter).toEqual(PKI_DATES.notAfter);
  });

  it('reads a certificate made by openssl', () => {
    const keyFile = dir.write('key.pem', privateKeyToPem(generateKeyPair().privateKey));
    const made = openssl([
      'req',
      '-x509',
      '-new',
      '-key',
      keyFile,
      '-days',
      '1',
      '-subj',
      '/C=MN/O=Social Insurance/CN=ss3',
      '-addext',
      'subjectAltName=DNS:ss3.local,IP:10.0.0.3',
    ]);

    const parsed = parseCertificate(made.stdout);

    expect(parsed.subject).toEqual({ commonName: 'ss3', organization: 'Social Insurance', country: 'MN' });
    expect(parsed.dnsNames).toEqual(['ss3.local']);
    expect(parsed.ipAddresses).toEqual(['10.0.0.3']);
    expect(parsed.isCa).toBe(true); // openssl's default v3_ca extensions
  });

  it('refuses a certificate without a common name', () => {
    const keyFile = dir.write('key.pem', privateKeyToPem(generateKeyPair().privateKey));
    const made = openssl(['req', '-x509', '-new', '-key', keyFile, '-days', '1', '-subj', '/O=Nameless']);

    expect(() => parseCertificate(made.stdout)).toThrow(ortooError('InvalidCertificate'));
  });

  it.each([
    ['empty text', () => ''],
    ['text that is not PEM', () => 'certificate, trust me'],
    ['a PEM block of another kind', () => certificate.pem.replaceAll('CERTIFICATE', 'CERTIFICATE REQUEST')],
    ['two certificates', () => certificate.pem + certificate.pem],
    ['no bytes', () => new Uint8Array()],
    ['random bytes', () => Buffer.from('308201deadbeef', 'hex')],
    ['truncated DER', () => certificate.der.subarray(0, certificate.der.length - 1)],
    ['DER with a byte appended', () => Buffer.concat([certificate.der, Buffer.from([0])])],
  ])('refuses %s with InvalidCertificate', (_name, input) => {
    expect(() => parseCertificate(input())).toThrow(ortooError('InvalidCertificate'));
  });
});
