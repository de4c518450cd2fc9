import {
  RevocationList,
  verifyCertificate,
  type Certificate,
  type CertificateAuthority,
} from '../../../core/src/pki';
import { createTestCa, issueTestCertificate, PKI_DATES } from '../../helpers/pki-fixtures';
import { ortooError } from '../../helpers/pki-matchers';

describe('verifyCertificate', () => {
  let ca: CertificateAuthority;
  let foreignCa: CertificateAuthority;
  let sign: Certificate;
  let auth: Certificate;
  let foreignSign: Certificate;

  beforeAll(() => {
    ca = createTestCa();
    foreignCa = createTestCa('Foreign CA');
    sign = issueTestCertificate(ca, { profile: 'sign', commonName: 'MN/GOV/1001' }).certificate;
    auth = issueTestCertificate(ca, {
      profile: 'auth',
      commonName: 'ss1',
      ipAddresses: ['127.0.0.1'],
    }).certificate;
    foreignSign = issueTestCertificate(foreignCa, { profile: 'sign', commonName: 'MN/GOV/1001' }).certificate;
  });

  const at = PKI_DATES.during;
  const anchors = (): Certificate[] => [ca.certificate];

  it('accepts a certificate of the instance CA and names that CA', () => {
    const anchor = verifyCertificate(sign, { trustAnchors: anchors(), at, usage: 'sign' });
    expect(anchor.thumbprint).toBe(ca.certificate.thumbprint);
  });

  it('finds the issuing CA among several trust anchors', () => {
    const anchor = verifyCertificate(sign, { trustAnchors: [foreignCa.certificate, ca.certificate], at });
    expect(anchor).toBe(ca.certificate);
  });

  it('accepts at the first and the last second of the validity period', () => {
    expect(() => verifyCertificate(sign, { trustAnchors: anchors(), at: PKI_DATES.notBefore })).not.toThrow();
    expect(() => verifyCertificate(sign, { trustAnchors: anchors(), at: PKI_DATES.notAfter })).not.toThrow();
  });

  it('refuses an expired certificate with CertificateExpired, saying when it was valid', () => {
    expect(() => verifyCertificate(sign, { trustAnchors: anchors(), at: PKI_DATES.after })).toThrow(
      expect.objectContaining({
        code: 'CertificateExpired',
        detail: expect.objectContaining({
          notBefore: PKI_DATES.notBefore.toISOString(),
          notAfter: PKI_DATES.notAfter.toISOString(),
          at: PKI_DATES.after.toISOString(),
        }),
      }),
    );
  });

  it('refuses a certificate not valid yet with InvalidCertificate', () => {
    expect(() => verifyCertificate(sign, { trustAnchors: anchors(), at: PKI_DATES.before })).toThrow(
      ortooError('InvalidCertificate', 'not valid yet'),
    );
  });

  it('refuses a certificate when its CA is no longer valid', () => {
    const shortCa = createTestCa('Short CA', {
      notBefore: PKI_DATES.caNotBefore,
      notAfter: PKI_DATES.notAfter,
    });
    const { certificate } = issueTestCertificate(shortCa, { profile: 'sign', commonName: 'MN/GOV/1001' });
    const almostEnd = new Date(PKI_DATES.notAfter.getTime() - 1000);
    expect(() =>
      verifyCertificate(certificate, { trustAnchors: [shortCa.certificate], at: almostEnd }),
    ).not.toThrow();
    expect(() =>
      verifyCertificate(certificate, { trustAnchors: [shortCa.certificate], at: PKI_DATES.after }),
    ).toThrow(ortooError('CertificateExpired'));
  });

  it('refuses a revoked certificate with CertificateRevoked, saying when and why', () => {
    const revocations = new RevocationList();
    revocations.revoke(sign.serialNumber, { revokedAt: PKI_DATES.before, reason: 'keyCompromise' });

    expect(() => verifyCertificate(sign, { trustAnchors: anchors(), at, revocations })).toThrow(
      expect.objectContaining({
        code: 'CertificateRevoked',
        detail: expect.objectContaining({
          reason: 'keyCompromise',
          revokedAt: PKI_DATES.before.toISOString(),
        }),
      }),
    );
  });

  it('still accepts, at a given time, a certificate revoked after that time', () => {
    const revocations = new RevocationList();
    revocations.revoke(sign.serialNumber, { revokedAt: new Date(at.getTime() + 1000), reason: 'superseded' });

    expect(() => verifyCertificate(sign, { trustAnchors: anchors(), at, revocations })).not.toThrow();
    expect(() =>
      verifyCertificate(sign, { trustAnchors: anchors(), at: PKI_DATES.notAfter, revocations }),
    ).toThrow(ortooError('CertificateRevoked'));
  });

  it('refuses a certificate of a foreign CA with InvalidCertificate, whatever it claims', () => {
    expect(foreignSign.issuer).toEqual(expect.objectContaining({ commonName: 'Foreign CA' }));
    expect(() => verifyCertificate(foreignSign, { trustAnchors: anchors(), at })).toThrow(
      ortooError('InvalidCertificate', 'not issued by a trusted CA'),
    );
    expect(() => verifyCertificate(sign, { trustAnchors: [], at })).toThrow(ortooError('InvalidCertificate'));
  });

  it('refuses a certificate whose issuer name matches but whose signature does not', () => {
    const impostor = createTestCa(); // same subject as the instance CA, different key
    const { certificate } = issueTestCertificate(impostor, { profile: 'sign', commonName: 'MN/GOV/1001' });
    expect(certificate.issuer).toEqual(ca.certificate.subject);

    expect(() => verifyCertificate(certificate, { trustAnchors: anchors(), at })).toThrow(
      ortooError('InvalidCertificate'),
    );
  });

  it('refuses a CA certificate as the certificate to check, even a trusted one', () => {
    expect(() => verifyCertificate(ca.certificate, { trustAnchors: anchors(), at })).toThrow(
      ortooError('InvalidCertificate', 'CA certificate'),
    );
  });

  it('does not take an end-entity certificate for a trust anchor', () => {
    expect(() => verifyCertificate(sign, { trustAnchors: [auth, sign], at })).toThrow(
      ortooError('InvalidCertificate'),
    );
  });

  it('refuses a certificate used for what its profile does not allow', () => {
    expect(() => verifyCertificate(auth, { trustAnchors: anchors(), at, usage: 'sign' })).toThrow(
      ortooError('InvalidCertificate', 'not issued for signing'),
    );
    expect(() => verifyCertificate(sign, { trustAnchors: anchors(), at, usage: 'auth' })).toThrow(
      ortooError('InvalidCertificate', 'not issued for TLS authentication'),
    );
    expect(() => verifyCertificate(auth, { trustAnchors: anchors(), at, usage: 'auth' })).not.toThrow();
  });
});
