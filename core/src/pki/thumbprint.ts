import { createHash } from 'node:crypto';

/**
 * The SHA-256 thumbprint of a certificate: base64url (no padding) of the hash
 * of its DER encoding, the value JOSE carries in the `x5t#S256` header and the
 * name by which Örtöö knows every signer.
 */
export function certificateThumbprint(der: Uint8Array): string {
  return createHash('sha256').update(der).digest('base64url');
}
