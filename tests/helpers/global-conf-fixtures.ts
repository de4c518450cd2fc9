/**
 * A small global configuration and the keys to sign it, for the unit tests of
 * the document, its verification and the client. Dates are fixed, inside
 * {@link PKI_DATES}' validity.
 */
import { createJwsSigner, type JwsSigner } from '../../core/src/envelope';
import { GLOBAL_CONF_FORMAT, type GlobalConf } from '../../core/src/global-conf';
import type { Certificate, CertificateAuthority } from '../../core/src/pki';
import { PKI_DATES, createTestCa, issueTestCertificate } from './pki-fixtures';

/** When the sample document was generated; it expires ten minutes later. */
export const CONF_GENERATED_AT = new Date('2025-09-01T12:00:00.000Z');
export const CONF_EXPIRES_AT = new Date('2025-09-01T12:10:00.000Z');
/** An instant at which the sample document is valid. */
export const CONF_NOW = new Date('2025-09-01T12:01:00.000Z');

/** A CA, the configuration-signing certificate it issued, and a signer with its key. */
export interface ConfSigning {
  readonly ca: CertificateAuthority;
  readonly anchor: Certificate;
  readonly signer: JwsSigner;
}

/** Fresh signing material: a test CA and a configuration-signing certificate. */
export function createConfSigning(): ConfSigning {
  const ca = createTestCa();
  const { keyPair, certificate } = issueTestCertificate(ca, {
    profile: 'sign',
    commonName: 'MN global configuration',
  });
  return {
    ca,
    anchor: certificate,
    signer: createJwsSigner({ privateKey: keyPair.privateKey, thumbprint: certificate.thumbprint }),
  };
}

/** A sample document of instance MN: one provider, one consumer, one revoked member. */
export function sampleGlobalConf(signing: ConfSigning, overrides: Partial<GlobalConf> = {}): GlobalConf {
  const pem = signing.anchor.pem;
  return {
    format: GLOBAL_CONF_FORMAT,
    instance: 'MN',
    version: 7,
    generatedAt: CONF_GENERATED_AT.toISOString(),
    expiresAt: CONF_EXPIRES_AT.toISOString(),
    caCertificates: [signing.ca.certificate.pem],
    gatewayCertificates: [
      { thumbprint: signing.anchor.thumbprint, serial: signing.anchor.serialNumber, pem },
    ],
    members: [
      { id: 'MN/GOV/7000001', name: 'Цахим үйлчилгээ', status: 'active' },
      { id: 'MN/GOV/9011311', name: 'Улсын бүртгэлийн ерөнхий газар', status: 'active' },
      { id: 'MN/GOV/9999999', name: 'Татан буугдсан газар', status: 'revoked' },
    ],
    subsystems: [
      { id: 'MN/GOV/7000001/e-services', memberId: 'MN/GOV/7000001' },
      { id: 'MN/GOV/9011311/civil-registry', memberId: 'MN/GOV/9011311' },
    ],
    securityServers: [
      {
        id: 'MN/GOV/9011311/ss1',
        ownerId: 'MN/GOV/9011311',
        address: 'https://ss1.civil-registry.mn:5500',
        status: 'active',
        authCertificates: [
          { thumbprint: signing.anchor.thumbprint, serial: signing.anchor.serialNumber, pem },
        ],
      },
    ],
    signCertificates: [
      {
        memberId: 'MN/GOV/9011311',
        securityServerId: 'MN/GOV/9011311/ss1',
        thumbprint: signing.anchor.thumbprint,
        serial: signing.anchor.serialNumber,
        notBefore: PKI_DATES.notBefore.toISOString(),
        notAfter: PKI_DATES.notAfter.toISOString(),
        pem,
      },
    ],
    services: [
      {
        id: 'MN/GOV/9011311/civil-registry/person',
        version: '1',
        providerId: 'MN/GOV/9011311/civil-registry',
        title: 'Иргэний мэдээлэл',
        requestSchemaHash: 'A'.repeat(43),
        responseSchemaHash: 'B'.repeat(43),
        timeoutMs: 30000,
        retryPolicy: { maxAttempts: 5, backoffMs: 1000 },
        dataSubjectPointer: '/registerNumber',
        enabled: true,
      },
    ],
    accessRights: [
      { serviceId: 'MN/GOV/9011311/civil-registry/person', clientId: 'MN/GOV/7000001/e-services' },
      { serviceId: 'MN/GOV/9011311/civil-registry/person', groupId: 'MN/health-agencies' },
    ],
    groups: [{ id: 'MN/health-agencies', members: ['MN/GOV/7000001/e-services'] }],
    revokedCertificates: [
      {
        serial: '1f2e3d',
        thumbprint: 'ZmFrZS10aHVtYnByaW50LW9mLWEtcmV2b2tlZC1jZXI',
        revokedAt: '2025-08-01T00:00:00.000Z',
        reason: 'member revoked',
      },
    ],
    ...overrides,
  };
}
