import { createHash } from 'node:crypto';
import { formatDistinguishedName, parseCsr } from '../../../core/src';

/** What an administrator checks in a CSR before approving it. */
export interface CsrSummary {
  /** The subject, e.g. `C=MN, O=MN/GOV/9011311, CN=ss1`. */
  subject: string;
  /** `EC P-256`, `RSA 3072`… */
  keyAlgorithm: string;
  /** SHA-256 of the public key (SubjectPublicKeyInfo DER), colon-separated hex, to compare with the operator's. */
  publicKeyFingerprint: string;
  dnsNames: string[];
  ipAddresses: string[];
}

const CURVE_NAMES: Record<string, string> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' };

/** Reads a PEM CSR into what the console shows of it. */
export function summarizeCsr(pem: string): CsrSummary {
  const csr = parseCsr(pem);
  const details = csr.publicKey.asymmetricKeyDetails ?? {};
  const type = csr.publicKey.asymmetricKeyType ?? 'unknown';
  const keyAlgorithm =
    type === 'ec'
      ? `EC ${CURVE_NAMES[details.namedCurve ?? ''] ?? details.namedCurve ?? ''}`.trim()
      : type === 'rsa' || type === 'rsa-pss'
        ? `${type.toUpperCase()} ${details.modulusLength ?? ''}`.trim()
        : type;
  const spki = csr.publicKey.export({ type: 'spki', format: 'der' });
  const hex = createHash('sha256').update(spki).digest('hex').toUpperCase();
  return {
    subject: formatDistinguishedName(csr.subject),
    keyAlgorithm,
    publicKeyFingerprint: hex.match(/../g)?.join(':') ?? hex,
    dnsNames: [...csr.dnsNames],
    ipAddresses: [...csr.ipAddresses],
  };
}
