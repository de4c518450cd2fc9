/**
 * Checkpoints and cosignatures byte for byte as c2sp.org/signed-note,
 * tlog-checkpoint and tlog-cosignature write them: each expected byte string
 * is built here by hand from the spec text, with node:crypto alone.
 */
import { createHash, generateKeyPairSync, sign, verify } from 'node:crypto';
import {
  checkpointText,
  cosign,
  cosignatureBy,
  formatNote,
  hasNoteSignature,
  parseCheckpointText,
  parseNote,
  parseVerifierKey,
  signNote,
  verifierKey,
} from '../../../core/src/tlog/signed-note';

const log = { name: 'ortoo/MN/audit', ...generateKeyPairSync('ed25519') };
const witness = { name: 'witness/MN/GOV/9011311/ss1', ...generateKeyPairSync('ed25519') };
const raw = (key: typeof log.publicKey) =>
  Buffer.from(key.export({ format: 'jwk' }).x as string, 'base64url');
const root = createHash('sha256').update('root').digest();

/** key ID = SHA-256(key name || 0x0A || type || public key)[:4] (signed-note, "Signatures"). */
const keyIdBytes = (name: string, type: number, key: typeof log.publicKey) =>
  createHash('sha256')
    .update(Buffer.concat([Buffer.from(name, 'utf8'), Buffer.from([0x0a, type]), raw(key)]))
    .digest()
    .subarray(0, 4);

describe('signed notes (C2SP)', () => {
  // "<origin>\n<size>\n<base64 root>\n" (tlog-checkpoint, "Note text").
  const text = `ortoo/MN/audit\n20852163\n${root.toString('base64')}\n`;

  test('a checkpoint is the origin, the decimal size and the base64 root, each ending in a newline', () => {
    expect(checkpointText({ origin: 'ortoo/MN/audit', size: 20852163, rootHash: root })).toBe(text);
    expect(parseCheckpointText(text)).toEqual({ origin: 'ortoo/MN/audit', size: 20852163, rootHash: root });
    expect(() => parseCheckpointText('ortoo/MN/audit\n012\nAAAA\n')).toThrow('Not a checkpoint');
  });

  test("the log's signature line is em dash, space, name, space, base64(key ID || Ed25519 over the text)", () => {
    const signature = sign(null, Buffer.from(text, 'utf8'), log.privateKey);
    const expected = `\u2014 ortoo/MN/audit ${Buffer.concat([keyIdBytes(log.name, 0x01, log.publicKey), signature]).toString('base64')}`;
    expect(signNote(text, log)).toBe(expected);
    // The whole note: the text, a blank line, the signature lines.
    const note = `${text}\n${expected}\n`;
    expect(formatNote(text, [expected])).toBe(note);
    expect(hasNoteSignature(parseNote(note), log)).toBe(true);
    expect(hasNoteSignature(parseNote(note.replace('20852163', '20852164')), log)).toBe(false);
    expect(verifierKey(log.name, 0x01, log.publicKey)).toBe(
      `ortoo/MN/audit+${keyIdBytes(log.name, 0x01, log.publicKey).toString('hex')}+${Buffer.concat([Buffer.from([1]), raw(log.publicKey)]).toString('base64')}`,
    );
  });

  test('a cosignature signs "cosignature/v1\\ntime <t>\\n" and the text, its line carrying key ID, u64 time, signature', () => {
    const timestamp = 1679315147;
    const message = Buffer.from(`cosignature/v1\ntime 1679315147\n${text}`, 'utf8');
    const { line } = cosign(text, witness, timestamp);
    const bytes = Buffer.from(line.split(' ')[2] as string, 'base64');
    expect(line.startsWith('\u2014 witness/MN/GOV/9011311/ss1 ')).toBe(true);
    expect(bytes.subarray(0, 4)).toEqual(keyIdBytes(witness.name, 0x04, witness.publicKey));
    expect(bytes.readBigUInt64BE(4)).toBe(1679315147n);
    expect(verify(null, message, witness.publicKey, bytes.subarray(12))).toBe(true);

    const note = parseNote(formatNote(text, [signNote(text, log), line]));
    expect(cosignatureBy(note, witness)).toBe(timestamp);
    expect(cosignatureBy(note, { name: witness.name, publicKey: log.publicKey })).toBeUndefined();
  });

  test('a verifier key reads back to the same name and key, whatever base64 characters it holds', () => {
    for (let i = 0; i < 20; i += 1) {
      const key = generateKeyPairSync('ed25519');
      const read = parseVerifierKey(verifierKey(log.name, 0x01, key.publicKey));
      expect(read.name).toBe(log.name);
      expect(raw(read.publicKey)).toEqual(raw(key.publicKey));
    }
    expect(() => parseVerifierKey(verifierKey(log.name, 0x01, log.publicKey).replace('+', '+0'))).toThrow();
  });

  test('malformed notes are refused with a typed error', () => {
    expect(() => parseNote(text)).toThrow('Not a signed note');
    expect(() => parseNote(`${text}\n— bad\n`)).toThrow('malformed signature line');
    expect(() => parseNote(`${text}\u0000\n— a AAAAAAA=\n`)).toThrow('control characters');
  });
});
