import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { OrtooError } from '../errors';
import { ED25519_NOTE, type NoteSigner, verifierKey } from './signed-note';

/**
 * The Ed25519 note key in `file` (PKCS #8 PEM, mode 0600), made on first use,
 * named `name`; its verifier key (see {@link verifierKey}) is written beside
 * it as `<file>.vkey` for those who check what it signs.
 *
 * @param type - the signature type the vkey names: 0x01 for a log, 0x04 for a cosigner
 * @throws OrtooError `InvalidConfiguration` when the file holds no Ed25519 key.
 */
export function loadOrCreateNoteKey(file: string, name: string, type = ED25519_NOTE): NoteSigner {
  if (!existsSync(file)) {
    const { privateKey } = generateKeyPairSync('ed25519');
    writeFileSync(file, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  const privateKey = createPrivateKey(readFileSync(file));
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new OrtooError('InvalidConfiguration', `${file} must hold an Ed25519 private key`);
  }
  const publicKey = createPublicKey(privateKey);
  writeFileSync(`${file}.vkey`, `${verifierKey(name, type, publicKey)}\n`);
  return { name, privateKey, publicKey };
}
