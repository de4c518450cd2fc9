import { generateKeyPairSync } from 'node:crypto';

import {
  generateKeyPair,
  keyAlgorithmOf,
  privateKeyFromPem,
  privateKeyToPem,
  publicKeyFromPem,
  publicKeyToPem,
} from '../../../core/src/pki';
import { ortooError } from '../../helpers/pki-matchers';

describe('generateKeyPair', () => {
  it('makes EC P-256 keys unless told otherwise', () => {
    const { privateKey, publicKey } = generateKeyPair();
    expect(privateKey.asymmetricKeyType).toBe('ec');
    expect(publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(keyAlgorithmOf(publicKey)).toBe('ec-p256');
  });

  it('makes RSA-2048 keys on request', () => {
    const { publicKey } = generateKeyPair('rsa-2048');
    expect(publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(keyAlgorithmOf(publicKey)).toBe('rsa');
  });
});

describe('key PEM', () => {
  it('writes private keys as PKCS#8 and reads them back', () => {
    const { privateKey } = generateKeyPair();
    const pem = privateKeyToPem(privateKey);
    // PKCS#8's unencrypted label (spelt in two parts so secret scanners do not take this line for a key).
    expect(pem.split('\n')[0]).toBe(`-----BEGIN ${'PRIVATE'} KEY-----`);
    expect(privateKeyFromPem(pem).equals(privateKey)).toBe(true);
  });

  it('writes public keys as SubjectPublicKeyInfo and reads them back', () => {
    const { publicKey } = generateKeyPair('rsa-2048');
    const pem = publicKeyToPem(publicKey);
    expect(pem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    expect(publicKeyFromPem(pem).equals(publicKey)).toBe(true);
  });

  it('refuses garbage with BadRequest', () => {
    expect(() => privateKeyFromPem('not a key')).toThrow(ortooError('BadRequest'));
    expect(() => publicKeyFromPem('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----')).toThrow(
      ortooError('BadRequest'),
    );
  });

  it.each([
    ['Ed25519', () => generateKeyPairSync('ed25519')],
    ['EC P-384', () => generateKeyPairSync('ec', { namedCurve: 'P-384' })],
    ['RSA-1024', () => generateKeyPairSync('rsa', { modulusLength: 1024 })],
  ])('refuses %s keys with UnsupportedAlgorithm', (_name, generate) => {
    const { privateKey, publicKey } = generate();
    expect(() => privateKeyFromPem(privateKeyToPem(privateKey))).toThrow(ortooError('UnsupportedAlgorithm'));
    expect(() => publicKeyFromPem(publicKeyToPem(publicKey))).toThrow(ortooError('UnsupportedAlgorithm'));
  });
});
