import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';

import { OrtooError } from '../errors';

/**
 * The key types Örtöö generates: EC P-256 (ES256 signatures, TLS) by default,
 * RSA-2048 for agencies whose hardware or policy asks for RSA.
 */
export type KeyType = 'ec-p256' | 'rsa-2048';

/** A private key and its public half, as node:crypto key objects. */
export interface KeyPair {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

/** The smallest RSA modulus accepted from others (NIST SP 800-131A). */
const MIN_RSA_BITS = 2048;

/**
 * Generates a fresh key pair.
 *
 * @param type - which kind of key; `'ec-p256'` unless told.
 */
export function generateKeyPair(type: KeyType = 'ec-p256'): KeyPair {
  return type === 'ec-p256'
    ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
    : generateKeyPairSync('rsa', { modulusLength: 2048 });
}

/**
 * Which family a key belongs to, refusing any key Örtöö does not accept:
 * EC keys on a curve other than P-256, RSA keys under 2048 bits, and every
 * other type (Ed25519, DSA, ...) are `UnsupportedAlgorithm`.
 */
export function keyAlgorithmOf(key: KeyObject): 'ec-p256' | 'rsa' {
  const details = key.asymmetricKeyDetails;
  if (key.asymmetricKeyType === 'ec' && details?.namedCurve === 'prime256v1') return 'ec-p256';
  if (key.asymmetricKeyType === 'rsa' && (details?.modulusLength ?? 0) >= MIN_RSA_BITS) return 'rsa';
  throw new OrtooError(
    'UnsupportedAlgorithm',
    'Only EC P-256 and RSA keys of 2048 bits or more are accepted',
    {
      detail: {
        keyType: key.asymmetricKeyType,
        namedCurve: details?.namedCurve,
        modulusLength: details?.modulusLength,
      },
    },
  );
}

/** PEM (PKCS#8, unencrypted) of a private key. */
export function privateKeyToPem(key: KeyObject): string {
  return key.export({ format: 'pem', type: 'pkcs8' }) as string;
}

/**
 * Reads a PEM private key (PKCS#8; SEC1 and PKCS#1 are read too) of a type
 * Örtöö accepts.
 *
 * @throws OrtooError `BadRequest` when it is not a private key,
 *   `UnsupportedAlgorithm` when it is one of the wrong kind.
 */
export function privateKeyFromPem(pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch (cause) {
    throw new OrtooError('BadRequest', 'Not a PEM private key', { cause });
  }
  keyAlgorithmOf(key);
  return key;
}

/** PEM (SubjectPublicKeyInfo) of a public key. */
export function publicKeyToPem(key: KeyObject): string {
  return key.export({ format: 'pem', type: 'spki' }) as string;
}

/**
 * Reads a PEM public key (SubjectPublicKeyInfo) of a type Örtöö accepts.
 *
 * @throws OrtooError `BadRequest` when it is not a public key,
 *   `UnsupportedAlgorithm` when it is one of the wrong kind.
 */
export function publicKeyFromPem(pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: pem, format: 'pem' });
  } catch (cause) {
    throw new OrtooError('BadRequest', 'Not a PEM public key', { cause });
  }
  keyAlgorithmOf(key);
  return key;
}
