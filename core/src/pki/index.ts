/**
 * The instance's PKI: keys, CSRs, the certificate authority, certificates,
 * revocations and the check every signer's certificate goes through.
 */
export { Certificate, parseCertificate } from './certificate';
export {
  CertificateAuthority,
  type CertificateProfile,
  type CreateCertificateAuthorityParams,
  type IssueCertificateParams,
  type IssueForPublicKeyParams,
} from './certificate-authority';
export { verifyCertificate, type VerifyCertificateOptions } from './certificate-verifier';
export { createCsr, parseCsr, type CreateCsrParams, type ParsedCsr } from './csr';
export { formatDistinguishedName, type DistinguishedName } from './distinguished-name';
export type { KeyUsage } from './extensions';
export {
  generateKeyPair,
  keyAlgorithmOf,
  privateKeyFromPem,
  privateKeyToPem,
  publicKeyFromPem,
  publicKeyToPem,
  type KeyPair,
  type KeyType,
} from './key-pair';
export { RevocationList, type Revocation, type RevokeOptions } from './revocation-list';
export { normalizeSerialNumber, randomSerialNumber } from './serial-number';
export { certificateThumbprint } from './thumbprint';
