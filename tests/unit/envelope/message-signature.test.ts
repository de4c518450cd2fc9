import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import {
  buildRequest,
  buildResponse,
  canonicalJson,
  createJwsSigner,
  envelopeHash,
  signMessage,
  verifyDetachedJws,
  verifyMessage,
  type DetachedJws,
  type JwsAlgorithm,
  type SignedMessage,
} from '../../../core/src/envelope';
import { certificateThumbprint } from '../../../core/src/pki/thumbprint';
import { OrtooError } from '../../../core/src/errors';

const NOW = new Date('2026-03-01T08:30:00.000Z');

interface Identity {
  privateKey: KeyObject;
  publicKey: KeyObject;
  thumbprint: string;
}

/** A key pair named the way a certificate would name it; certificates themselves are the PKI tests' business. */
function identity(type: 'ec' | 'rsa'): Identity {
  const { privateKey, publicKey } =
    type === 'ec'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privateKey,
    publicKey,
    thumbprint: certificateThumbprint(publicKey.export({ type: 'spki', format: 'der' })),
  };
}

function codeOf(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    if (error instanceof OrtooError) return error.code;
    throw error;
  }
  return 'accepted';
}

describe('signing and verifying messages', () => {
  const consumer = identity('ec');
  const provider = identity('ec');
  const known = new Map([consumer, provider].map((id) => [id.thumbprint, id]));
  const resolve = (thumbprint: string) => known.get(thumbprint);
  const signer = createJwsSigner({ privateKey: consumer.privateKey, thumbprint: consumer.thumbprint });

  const request = (): SignedMessage =>
    signMessage(
      buildRequest(
        {
          client: 'MN/GOV/7000001/e-services',
          service: 'MN/GOV/9011311/civil-registry/person',
          method: 'POST',
          path: '/lookup',
          query: 'fields=name,address',
          headers: { accept: 'application/json' },
          userId: 'MN-officer-17',
          issue: 'case 2026/114',
          body: { contentType: 'application/json', json: { registerNumber: 'УБ99010112' } },
        },
        { now: NOW },
      ),
      signer,
    );

  it('round-trips: a signed request verifies and names its signer', () => {
    const message = request();
    expect(message.signature).not.toHaveProperty('payload');
    expect(verifyMessage(message, resolve)).toBe(consumer);
  });

  it('signs ES256 with the certificate thumbprint as x5t#S256 and nothing else in the header', () => {
    const header = JSON.parse(Buffer.from(request().signature.protected, 'base64url').toString());
    expect(header).toEqual({ alg: 'ES256', 'x5t#S256': consumer.thumbprint });
  });

  it('binds the body by its digest: a changed body is refused', () => {
    const message = request();
    const forged = { ...message, body: { registerNumber: 'УБ99010113' } };
    expect(codeOf(() => verifyMessage(forged, resolve))).toBe('BodyDigestMismatch');
    expect(codeOf(() => verifyMessage({ ...message, body: undefined }, resolve))).toBe('InvalidEnvelope');
  });

  it('binds every envelope field: a changed field is refused', () => {
    const message = request();
    for (const [field, value] of Object.entries({
      client: 'MN/GOV/7000001/other',
      service: 'MN/GOV/9011311/civil-registry/tax',
      path: '/admin',
      userId: 'someone-else',
      issuedAt: '2026-03-01T08:30:00.001Z',
    })) {
      const forged = { ...message, envelope: { ...message.envelope, [field]: value } };
      expect([field, codeOf(() => verifyMessage(forged as SignedMessage, resolve))]).toEqual([
        field,
        'InvalidSignature',
      ]);
    }
  });

  it('refuses a signature made by a key other than the one its header names', () => {
    const impostor = identity('ec');
    const forgedSigner = createJwsSigner({
      privateKey: impostor.privateKey,
      thumbprint: consumer.thumbprint,
    });
    const forged = signMessage({ envelope: request().envelope, body: request().body }, forgedSigner);
    expect(codeOf(() => verifyMessage(forged, resolve))).toBe('InvalidSignature');
  });

  it('refuses an unknown signer', () => {
    const stranger = identity('ec');
    const message = signMessage(
      { envelope: request().envelope, body: request().body },
      createJwsSigner({ privateKey: stranger.privateKey, thumbprint: stranger.thumbprint }),
    );
    expect(codeOf(() => verifyMessage(message, resolve))).toBe('UnknownSigner');
  });

  it('binds an answer to its request by the request hash', () => {
    const message = request();
    const answer = signMessage(
      buildResponse(
        message.envelope as Parameters<typeof buildResponse>[0],
        { status: 200, body: { contentType: 'application/json', json: { name: 'Бат-Эрдэнэ' } } },
        { now: NOW },
      ),
      createJwsSigner({ privateKey: provider.privateKey, thumbprint: provider.thumbprint }),
    );
    expect(answer.envelope).toMatchObject({ kind: 'response', id: message.envelope.id });
    expect(answer.envelope.kind === 'response' && answer.envelope.requestHash).toBe(
      envelopeHash(message.envelope),
    );
    expect(verifyMessage(answer, resolve)).toBe(provider);
  });

  it('carries a binary body as base64 and digests its bytes', () => {
    const bytes = Buffer.from([0, 1, 2, 253, 254, 255]);
    const message = signMessage(
      buildRequest({
        client: 'MN/GOV/7000001/e-services',
        service: 'MN/GOV/9011311/civil-registry/photo',
        method: 'PUT',
        body: { contentType: 'image/png', bytes },
      }),
      signer,
    );
    expect(message.body).toBe(bytes.toString('base64'));
    expect(verifyMessage(message, resolve)).toBe(consumer);
    expect(codeOf(() => verifyMessage({ ...message, body: 'AAEC/f7+' }, resolve))).toBe('BodyDigestMismatch');
    expect(codeOf(() => verifyMessage({ ...message, body: 'not base64!' }, resolve))).toBe('InvalidEnvelope');
  });

  describe('every single changed byte is refused', () => {
    const message = request();
    const payload = canonicalJson(message.envelope);
    const { signature } = message;

    /** Every string that differs from `text` in exactly one position, by a character of the same class. */
    function oneCharChanges(text: string, alphabet: string): string[] {
      return [...text].map((char, index) => {
        const replacement = alphabet[(alphabet.indexOf(char) + 1) % alphabet.length] ?? 'A';
        return text.slice(0, index) + (char === replacement ? 'B' : replacement) + text.slice(index + 1);
      });
    }
    const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

    it('of the canonical payload', () => {
      const bytes = Buffer.from(payload);
      for (let index = 0; index < bytes.length; index += 1) {
        const changed = Buffer.from(bytes);
        changed[index] = (changed[index] ?? 0) ^ 0x01;
        expect(codeOf(() => verifyDetachedJws(changed.toString('utf8'), signature, resolve))).not.toBe(
          'accepted',
        );
      }
    });

    it('of the protected header', () => {
      for (const changed of oneCharChanges(signature.protected, B64URL)) {
        const jws: DetachedJws = { ...signature, protected: changed };
        expect(codeOf(() => verifyDetachedJws(payload, jws, resolve))).not.toBe('accepted');
      }
    });

    it('of the signature, including its last character (no lenient base64)', () => {
      for (const changed of oneCharChanges(signature.signature, B64URL)) {
        const jws: DetachedJws = { ...signature, signature: changed };
        expect(codeOf(() => verifyDetachedJws(payload, jws, resolve))).toBe('InvalidSignature');
      }
    });
  });

  describe('algorithms', () => {
    const rsa = identity('rsa');
    const rsaKnown = (thumbprint: string) => (thumbprint === rsa.thumbprint ? rsa : undefined);

    it.each<JwsAlgorithm>(['RS256', 'PS256'])('accepts %s with an RSA key', (alg) => {
      const rsaSigner = createJwsSigner({ privateKey: rsa.privateKey, thumbprint: rsa.thumbprint, alg });
      const message = signMessage({ envelope: request().envelope, body: request().body }, rsaSigner);
      expect(verifyMessage(message, rsaKnown)).toBe(rsa);
    });

    it('refuses a header whose algorithm does not fit the signer key (no algorithm confusion)', () => {
      const rsaSigner = createJwsSigner({
        privateKey: rsa.privateKey,
        thumbprint: consumer.thumbprint,
        alg: 'RS256',
      });
      const message = signMessage({ envelope: request().envelope, body: request().body }, rsaSigner);
      expect(codeOf(() => verifyMessage(message, resolve))).toBe('InvalidSignature');
    });

    it.each(['none', 'HS256', 'ES384', 'EdDSA'])('refuses alg %s', (alg) => {
      const header = Buffer.from(JSON.stringify({ alg, 'x5t#S256': consumer.thumbprint })).toString(
        'base64url',
      );
      const jws = { protected: header, signature: request().signature.signature };
      expect(codeOf(() => verifyDetachedJws('{}', jws, resolve))).toBe('UnsupportedAlgorithm');
    });

    it('refuses headers with parameters it would otherwise ignore, such as crit or jku', () => {
      for (const extra of [{ crit: ['b64'], b64: false }, { jku: 'https://example.org/keys' }]) {
        const header = { alg: 'ES256', 'x5t#S256': consumer.thumbprint, ...extra };
        const jws = { protected: Buffer.from(JSON.stringify(header)).toString('base64url'), signature: 'AA' };
        expect(codeOf(() => verifyDetachedJws('{}', jws, resolve))).toBe('InvalidSignature');
      }
    });

    it('will not make an ES256 signer from an RSA key', () => {
      expect(
        codeOf(() => createJwsSigner({ privateKey: rsa.privateKey, thumbprint: 'x', alg: 'ES256' })),
      ).toBe('UnsupportedAlgorithm');
    });
  });

  it('refuses malformed signatures without crashing', () => {
    const payload = canonicalJson(request().envelope);
    for (const jws of [null, {}, { protected: 1, signature: 2 }, { protected: '!!', signature: 'AA' }]) {
      expect(codeOf(() => verifyDetachedJws(payload, jws as unknown as DetachedJws, resolve))).toBe(
        'InvalidSignature',
      );
    }
  });
});
