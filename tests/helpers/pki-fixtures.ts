import {
  CertificateAuthority,
  createCsr,
  generateKeyPair,
  type Certificate,
  type CertificateProfile,
  type KeyPair,
  type KeyType,
} from '../../core/src/pki';

/**
 * Fixed instants for throwaway test PKI, so no test depends on today's date.
 * End-entity certificates run from `notBefore` to `notAfter`; `during` lies
 * inside, `before` and `after` outside.
 */
export const PKI_DATES = {
  caNotBefore: new Date('2025-01-01T00:00:00Z'),
  caNotAfter: new Date('2035-01-01T00:00:00Z'),
  notBefore: new Date('2025-06-01T00:00:00Z'),
  notAfter: new Date('2026-06-01T00:00:00Z'),
  before: new Date('2025-05-01T00:00:00Z'),
  during: new Date('2025-09-01T00:00:00Z'),
  after: new Date('2026-07-01T00:00:00Z'),
} as const;

/**
 * Validity for certificates that must pass checks made against the real clock
 * (Node's TLS handshake cannot be given a time): long past to far future.
 */
export const PKI_CLOCK_FREE_DATES = {
  notBefore: new Date('2025-01-01T00:00:00Z'),
  notAfter: new Date('2099-12-31T23:59:59Z'),
} as const;

/** A throwaway instance CA. */
export function createTestCa(
  commonName = 'Örtöö Test CA',
  validity: { notBefore: Date; notAfter: Date } = {
    notBefore: PKI_DATES.caNotBefore,
    notAfter: PKI_DATES.caNotAfter,
  },
): CertificateAuthority {
  return CertificateAuthority.create({
    instance: 'MN-TEST',
    commonName,
    organization: 'Örtöö',
    country: 'MN',
    ...validity,
  });
}

/** Options of {@link issueTestCertificate}. */
export interface TestCertificateOptions {
  readonly profile: CertificateProfile;
  readonly commonName: string;
  /** @defaultValue `'Улсын бүртгэлийн ерөнхий газар'` */
  readonly organization?: string;
  /** @defaultValue `'ec-p256'` */
  readonly keyType?: KeyType;
  /** @defaultValue `[]` */
  readonly dnsNames?: readonly string[];
  /** @defaultValue `[]` */
  readonly ipAddresses?: readonly string[];
  /** @defaultValue {@link PKI_DATES}.notBefore */
  readonly notBefore?: Date;
  /** @defaultValue {@link PKI_DATES}.notAfter */
  readonly notAfter?: Date;
}

/** A key pair and the certificate `ca` issued for it through a CSR, as a security server gets one. */
export function issueTestCertificate(
  ca: CertificateAuthority,
  options: TestCertificateOptions,
): { keyPair: KeyPair; certificate: Certificate } {
  const keyPair = generateKeyPair(options.keyType);
  const csrPem = createCsr({
    subject: {
      commonName: options.commonName,
      organization: options.organization ?? 'Улсын бүртгэлийн ерөнхий газар',
      country: 'MN',
    },
    keyPair,
    dnsNames: options.dnsNames,
    ipAddresses: options.ipAddresses,
  });
  const certificate = ca.issue({
    csrPem,
    profile: options.profile,
    notBefore: options.notBefore ?? PKI_DATES.notBefore,
    notAfter: options.notAfter ?? PKI_DATES.notAfter,
  });
  return { keyPair, certificate };
}
