/**
 * C2SP signed notes (c2sp.org/signed-note), checkpoints (c2sp.org/tlog-checkpoint)
 * and Ed25519 cosignatures (c2sp.org/tlog-cosignature), byte for byte as the
 * specs write them, so the transparency ecosystem's tools read what we sign.
 */
import { type KeyObject, createHash, createPublicKey, sign, verify } from 'node:crypto';
import { OrtooError } from '../errors';

/** Signature type of a log's own Ed25519 note signature. */
export const ED25519_NOTE = 0x01;
/** Signature type of a timestamped Ed25519 cosignature (tlog-cosignature/v1). */
export const ED25519_COSIGNATURE = 0x04;

/** A checkpoint's three lines: what a log signs about its tree. */
export interface CheckpointBody {
  /** The log's origin, a schema-less URL (e.g. `ortoo/MN/audit`). */
  readonly origin: string;
  readonly size: number;
  /** The 32-byte RFC 9162 root hash. */
  readonly rootHash: Uint8Array;
}

/** One signature line of a note. */
export interface NoteSignature {
  readonly name: string;
  readonly keyId: number;
  /** The signature bytes after the key id. */
  readonly signature: Buffer;
  /** The line as written, `— name base64`, without its newline. */
  readonly line: string;
}

/** A note split into its text and its signature lines. */
export interface ParsedNote {
  /** The note text, with its final newline. */
  readonly text: string;
  readonly signatures: readonly NoteSignature[];
}

/** An Ed25519 key a note is signed with, and the name it signs under. */
export interface NoteSigner {
  readonly name: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

/** An Ed25519 public key a note is verified with, and its name. */
export interface NoteVerifier {
  readonly name: string;
  readonly publicKey: KeyObject;
}

const KEY_NAME = /^[^\s+]+$/u;

/** The 32 raw bytes of an Ed25519 public key. */
export function rawEd25519(publicKey: KeyObject): Buffer {
  const jwk = publicKey.export({ format: 'jwk' });
  if (jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') {
    throw new OrtooError('InvalidConfiguration', 'A note key must be an Ed25519 key');
  }
  return Buffer.from(jwk.x, 'base64url');
}

/** An Ed25519 public key from its 32 raw bytes. */
export function ed25519FromRaw(raw: Uint8Array): KeyObject {
  return createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(raw).toString('base64url') },
    format: 'jwk',
  });
}

/** key ID = SHA-256(key name || 0x0A || type || public key)[:4], big-endian. */
export function noteKeyId(name: string, type: number, publicKey: KeyObject): number {
  checkKeyName(name);
  const digest = createHash('sha256')
    .update(name, 'utf8')
    .update(Buffer.from([0x0a, type]))
    .update(rawEd25519(publicKey))
    .digest();
  return digest.readUInt32BE(0);
}

/** The verifier key string (`name+hex id+base64(type || key)`), as note tools take it. */
export function verifierKey(name: string, type: number, publicKey: KeyObject): string {
  const id = noteKeyId(name, type, publicKey).toString(16).padStart(8, '0');
  return `${name}+${id}+${Buffer.concat([Buffer.from([type]), rawEd25519(publicKey)]).toString('base64')}`;
}

/** The text of a checkpoint: origin, size and base64 root hash, each on its line. */
export function checkpointText(body: CheckpointBody): string {
  if (body.origin.length === 0 || /[\n\r]/.test(body.origin)) {
    throw new OrtooError('InvalidConfiguration', 'A checkpoint origin is one non-empty line');
  }
  return `${body.origin}\n${body.size}\n${Buffer.from(body.rootHash).toString('base64')}\n`;
}

/** Reads a checkpoint's first three lines; extension lines after them are ignored. */
export function parseCheckpointText(text: string): CheckpointBody {
  const lines = text.split('\n');
  const [origin, size, root] = lines;
  const rootHash = root === undefined ? Buffer.alloc(0) : Buffer.from(root, 'base64');
  if (
    origin === undefined ||
    origin.length === 0 ||
    size === undefined ||
    !/^(0|[1-9][0-9]{0,15})$/.test(size) ||
    !Number.isSafeInteger(Number(size)) ||
    rootHash.length !== 32 ||
    rootHash.toString('base64') !== root ||
    !text.endsWith('\n')
  ) {
    throw new OrtooError('BadRequest', 'Not a checkpoint: origin, size and base64 root hash lines expected');
  }
  return { origin, size: Number(size), rootHash };
}

/** A signature line: `— name base64(key id || signature)`. */
export function signatureLine(name: string, keyId: number, signature: Uint8Array): string {
  const id = Buffer.alloc(4);
  id.writeUInt32BE(keyId >>> 0);
  return `\u2014 ${name} ${Buffer.concat([id, signature]).toString('base64')}`;
}

/** Signs a note text with Ed25519 (type 0x01): its signature line. */
export function signNote(text: string, signer: NoteSigner): string {
  const signature = sign(null, Buffer.from(text, 'utf8'), signer.privateKey);
  return signatureLine(signer.name, noteKeyId(signer.name, ED25519_NOTE, signer.publicKey), signature);
}

/** A whole signed note: the text, a blank line, then one line per signature. */
export function formatNote(text: string, lines: readonly string[]): string {
  return `${text}\n${lines.map((line) => `${line}\n`).join('')}`;
}

/**
 * Splits a signed note into its text and signature lines.
 *
 * @throws OrtooError `BadRequest` when it is not one.
 */
export function parseNote(note: string): ParsedNote {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0009\u000b-\u001f]/.test(note) || !note.endsWith('\n')) {
    throw new OrtooError('BadRequest', 'Not a signed note: control characters, or no final newline');
  }
  const split = note.lastIndexOf('\n\n');
  if (split < 0) throw new OrtooError('BadRequest', 'Not a signed note: no blank line before the signatures');
  const text = note.slice(0, split + 1);
  const lines = note.slice(split + 2, -1).split('\n');
  const signatures = lines.map((line) => {
    const match = /^\u2014 ([^\s+]+) ([A-Za-z0-9+/]+={0,2})$/u.exec(line);
    const bytes = match === null ? Buffer.alloc(0) : Buffer.from(match[2] as string, 'base64');
    if (match === null || bytes.length < 5) {
      throw new OrtooError('BadRequest', 'Not a signed note: a malformed signature line');
    }
    return { name: match[1] as string, keyId: bytes.readUInt32BE(0), signature: bytes.subarray(4), line };
  });
  if (signatures.length === 0) throw new OrtooError('BadRequest', 'Not a signed note: no signature');
  return { text, signatures };
}

/** True when the note carries a valid Ed25519 (0x01) signature by `key`. */
export function hasNoteSignature(note: ParsedNote, key: NoteVerifier): boolean {
  const id = noteKeyId(key.name, ED25519_NOTE, key.publicKey);
  const mine = note.signatures.filter((s) => s.name === key.name && s.keyId === id);
  return (
    mine.length > 0 &&
    mine.every(
      (s) =>
        s.signature.length === 64 && verify(null, Buffer.from(note.text, 'utf8'), key.publicKey, s.signature),
    )
  );
}

/** The message a tlog-cosignature/v1 signs: its two header lines, then the checkpoint text. */
export function cosignedMessage(text: string, timestamp: number): Buffer {
  return Buffer.from(`cosignature/v1\ntime ${timestamp}\n${text}`, 'utf8');
}

/** A cosignature: who, when (seconds since the epoch) and its signature line. */
export interface Cosignature {
  readonly name: string;
  readonly timestamp: number;
  readonly line: string;
}

/** Cosigns a checkpoint text (tlog-cosignature/v1, Ed25519, type 0x04) at `timestamp` seconds. */
export function cosign(text: string, signer: NoteSigner, timestamp: number): Cosignature {
  const signature = sign(null, cosignedMessage(text, timestamp), signer.privateKey);
  const time = Buffer.alloc(8);
  time.writeBigUInt64BE(BigInt(timestamp));
  const keyId = noteKeyId(signer.name, ED25519_COSIGNATURE, signer.publicKey);
  return {
    name: signer.name,
    timestamp,
    line: signatureLine(signer.name, keyId, Buffer.concat([time, signature])),
  };
}

/**
 * The timestamp of `key`'s valid cosignature in the note, or `undefined`
 * when it carries none (or one that does not verify).
 */
export function cosignatureBy(note: ParsedNote, key: NoteVerifier): number | undefined {
  const id = noteKeyId(key.name, ED25519_COSIGNATURE, key.publicKey);
  for (const s of note.signatures) {
    if (s.name !== key.name || s.keyId !== id || s.signature.length !== 72) continue;
    const timestamp = Number(s.signature.readBigUInt64BE(0));
    if (verify(null, cosignedMessage(note.text, timestamp), key.publicKey, s.signature.subarray(8)))
      return timestamp;
  }
  return undefined;
}

function checkKeyName(name: string): void {
  if (!KEY_NAME.test(name)) throw new OrtooError('InvalidConfiguration', `"${name}" is not a note key name`);
}

/**
 * Reads a verifier key (`name+hex key id+base64(type || key)`), checking its
 * key id, for Ed25519 (0x01) or cosignature (0x04) keys.
 *
 * @throws OrtooError `InvalidConfiguration` when it is not one.
 */
export function parseVerifierKey(vkey: string): NoteVerifier & { type: number } {
  // The name holds no '+', the id is hex: the key (base64, which may hold '+') is all after the second.
  const text = vkey.trim();
  const first = text.indexOf('+');
  const second = text.indexOf('+', first + 1);
  const name = first > 0 ? text.slice(0, first) : undefined;
  const id = second > first ? text.slice(first + 1, second) : undefined;
  const bytes = Buffer.from(second > 0 ? text.slice(second + 1) : '', 'base64');
  const type = bytes[0];
  if (
    name === undefined ||
    id === undefined ||
    bytes.length !== 33 ||
    (type !== ED25519_NOTE && type !== ED25519_COSIGNATURE)
  ) {
    throw new OrtooError('InvalidConfiguration', 'Not an Ed25519 verifier key (name+id+key)');
  }
  const publicKey = ed25519FromRaw(bytes.subarray(1));
  if (noteKeyId(name, type, publicKey).toString(16).padStart(8, '0') !== id) {
    throw new OrtooError('InvalidConfiguration', 'The verifier key id does not match its key');
  }
  return { name, publicKey, type };
}
