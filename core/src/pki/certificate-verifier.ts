import { OrtooError } from '../errors';
import type { Certificate } from './certificate';
import type { CertificateProfile } from './certificate-authority';
import { formatDistinguishedName } from './distinguished-name';
import type { RevocationList } from './revocation-list';

/** Options of {@link verifyCertificate}. */
export interface VerifyCertificateOptions {
  /** The CA certificates trusted to issue end-entity certificates (the instance CA). */
  readonly trustAnchors: readonly Certificate[];
  /** The instant to judge at, e.g. the message's issuedAt. */
  readonly at: Date;
  /**
   * Revocations to honour; a revocation counts from its `revokedAt`.
   * @defaultValue none
   */
  readonly revocations?: RevocationList;
  /**
   * The use the certificate must allow.
   * @defaultValue any
   */
  readonly usage?: CertificateProfile;
}

/**
 * Checks an end-entity certificate against the instance's trust anchors, on
 * the hot path of every message: issued and signed by a trusted CA (one level,
 * no intermediates), valid at `at` and so is that CA, not revoked as of `at`,
 * and allowing `usage`. Nothing is parsed or cached here.
 *
 * @returns the trust anchor that issued it.
 * @throws OrtooError `InvalidCertificate` for a CA certificate, a foreign
 *   issuer, a period not yet begun or the wrong usage; `CertificateExpired`
 *   after its period; `CertificateRevoked` when revoked.
 */
export function verifyCertificate(certificate: Certificate, options: VerifyCertificateOptions): Certificate {
  const { at, revocations, usage } = options;
  // A trust anchor presented as a signer is still not an end-entity certificate.
  if (certificate.isCa)
    throw invalid('A CA certificate is not accepted as an end-entity certificate', certificate);

  const anchor = options.trustAnchors.find(
    (candidate) => candidate.isCa && certificate.isIssuedBy(candidate),
  );
  if (anchor === undefined) throw invalid('Certificate is not issued by a trusted CA', certificate);

  checkValidAt(certificate, at, 'Certificate');
  checkValidAt(anchor, at, 'Issuing CA certificate');

  const revocation = revocations?.get(certificate.serialNumber);
  if (revocation !== undefined && revocation.revokedAt.getTime() <= at.getTime()) {
    throw new OrtooError('CertificateRevoked', 'Certificate is revoked', {
      detail: {
        thumbprint: certificate.thumbprint,
        serialNumber: revocation.serialNumber,
        revokedAt: revocation.revokedAt.toISOString(),
        reason: revocation.reason,
      },
    });
  }

  if (usage !== undefined && !allows(certificate, usage)) {
    throw invalid(`Certificate is not issued for ${USAGE_NAMES[usage]}`, certificate, {
      usage,
      keyUsage: certificate.keyUsage,
      extKeyUsage: certificate.extKeyUsage,
    });
  }
  return anchor;
}

const USAGE_NAMES: Record<CertificateProfile, string> = { sign: 'signing', auth: 'TLS authentication' };

function allows(certificate: Certificate, usage: CertificateProfile): boolean {
  const { keyUsage, extKeyUsage } = certificate;
  if (!keyUsage.includes('digitalSignature')) return false;
  // nonRepudiation sets signing certificates apart from TLS ones, which never carry it.
  return usage === 'sign'
    ? keyUsage.includes('nonRepudiation')
    : extKeyUsage.includes('serverAuth') && extKeyUsage.includes('clientAuth');
}

function checkValidAt(certificate: Certificate, at: Date, what: string): void {
  if (certificate.isValidAt(at)) return;
  const detail = {
    thumbprint: certificate.thumbprint,
    subject: formatDistinguishedName(certificate.subject),
    notBefore: certificate.notBefore.toISOString(),
    notAfter: certificate.notAfter.toISOString(),
    at: at.toISOString(),
  };
  if (at.getTime() > certificate.notAfter.getTime()) {
    throw new OrtooError('CertificateExpired', `${what} has expired`, { detail });
  }
  throw new OrtooError('InvalidCertificate', `${what} is not valid yet`, { detail });
}

function invalid(message: string, certificate: Certificate, extra: Record<string, unknown> = {}): OrtooError {
  return new OrtooError('InvalidCertificate', message, {
    detail: {
      thumbprint: certificate.thumbprint,
      subject: formatDistinguishedName(certificate.subject),
      issuer: formatDistinguishedName(certificate.issuer),
      ...extra,
    },
  });
}
