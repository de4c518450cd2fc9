import type { SignedMessage } from '../envelope/envelope';
import { verifyMessage } from '../envelope/message-signature';
import { OrtooError } from '../errors';
import type { GlobalConfIndex, IndexedSignCertificate } from '../global-conf/global-conf-index';
import { verifyCertificate } from '../pki/certificate-verifier';

/** What the JWS verifier gets for a signer: its key and where it came from. */
interface ResolvedSigner {
  readonly publicKey: IndexedSignCertificate['certificate']['publicKey'];
  readonly indexed: IndexedSignCertificate;
}

/**
 * Verifies that `memberId` signed `message`, by the global configuration in
 * `index`: the body matches its digest, the signature is valid and made with
 * an active signing certificate of that member, which chains to the instance
 * CA and is valid at the message's `issuedAt`. A revoked certificate is
 * refused whenever the message says it was signed: revocation takes effect at
 * once, and a signer could backdate `issuedAt` within the freshness window.
 *
 * @throws OrtooError `InvalidEnvelope`, `BodyDigestMismatch`, `InvalidSignature`,
 *   `UnsupportedAlgorithm`, `UnknownSigner`, `CertificateRevoked`,
 *   `CertificateExpired`, `InvalidCertificate` or `WrongSigner`.
 */
export function verifySignedBy(
  index: GlobalConfIndex,
  message: SignedMessage,
  memberId: string,
): IndexedSignCertificate {
  const { indexed } = verifyMessage<ResolvedSigner>(message, (thumbprint) => {
    const revocation = index.revocationOf(thumbprint);
    if (revocation !== undefined) {
      throw new OrtooError('CertificateRevoked', 'Signer certificate is revoked', {
        detail: { thumbprint, revokedAt: revocation.revokedAt, reason: revocation.reason },
      });
    }
    const signer = index.signCertificate(thumbprint);
    return signer === undefined ? undefined : { publicKey: signer.certificate.publicKey, indexed: signer };
  });
  const at = new Date(message.envelope.issuedAt);
  // The schema's date-time admits a leap second (`…T23:59:60Z`), which no Date can hold.
  if (Number.isNaN(at.getTime())) {
    throw new OrtooError('InvalidEnvelope', 'issuedAt is not a time this signature can be judged at', {
      detail: { issuedAt: message.envelope.issuedAt },
    });
  }
  verifyCertificate(indexed.certificate, {
    trustAnchors: index.caCertificates,
    at,
    usage: 'sign',
  });
  if (indexed.memberId !== memberId) {
    throw new OrtooError(
      'WrongSigner',
      `Signed by a certificate of ${indexed.memberId}, not of ${memberId}`,
      {
        detail: { signer: indexed.memberId, expected: memberId },
      },
    );
  }
  return indexed;
}
