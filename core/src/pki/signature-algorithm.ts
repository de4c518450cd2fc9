import { sign, verify, type KeyObject } from 'node:crypto';

import { OrtooError } from '../errors';
import { nullValue, oid, sequence, type Asn1 } from './der';
import { keyAlgorithmOf } from './key-pair';
import { OID } from './oids';

/**
 * Signing and checking the signature of X.509 structures (certificates and
 * CSRs) with node:crypto, the part node-forge cannot do for EC keys.
 *
 * @internal Not part of the public PKI surface.
 */

/** The AlgorithmIdentifier that goes with signatures made by `privateKey`. */
export function signatureAlgorithmFor(privateKey: KeyObject): Asn1 {
  // RFC 5758 omits the parameters for ECDSA; RFC 4055 has NULL for RSA.
  return keyAlgorithmOf(privateKey) === 'ec-p256'
    ? sequence(oid(OID.ecdsaWithSha256))
    : sequence(oid(OID.sha256WithRsaEncryption), nullValue());
}

/** Signs `data` with SHA-256; ECDSA signatures in the DER form X.509 wants. */
export function signDer(privateKey: KeyObject, data: Uint8Array): Buffer {
  return sign('sha256', data, { key: privateKey, dsaEncoding: 'der' });
}

/**
 * Checks a signature over `data` made with the algorithm named by
 * `algorithmOid`, which must suit `publicKey`.
 *
 * @throws OrtooError `UnsupportedAlgorithm` for any other algorithm or a key
 *   that does not suit it.
 */
export function verifyDer(
  algorithmOid: string,
  publicKey: KeyObject,
  data: Uint8Array,
  signature: Uint8Array,
): boolean {
  const expected =
    keyAlgorithmOf(publicKey) === 'ec-p256' ? OID.ecdsaWithSha256 : OID.sha256WithRsaEncryption;
  if (algorithmOid !== expected) {
    throw new OrtooError('UnsupportedAlgorithm', 'Signature algorithm not accepted for this key', {
      detail: { algorithm: algorithmOid },
    });
  }
  return verify('sha256', data, { key: publicKey, dsaEncoding: 'der' }, signature);
}
