import * as jose from 'jose';
import {
  buildRequest,
  canonicalJson,
  createJwsSigner,
  signMessage,
  verifyMessage,
  type JwsAlgorithm,
} from '../../../core/src/envelope';
import { publicKeyToPem, type Certificate, type KeyPair } from '../../../core/src/pki';
import { createTempDir, openssl, type TempDir } from '../../helpers/pki-openssl';
import { createTestCa, issueTestCertificate } from '../../helpers/pki-fixtures';

/** An ES256 signature is R||S (64 bytes) in JOSE; openssl wants the DER ECDSA-Sig-Value. */
function p1363ToDer(signature: Buffer): Buffer {
  const integer = (bytes: Buffer): Buffer => {
    let start = 0;
    while (start < bytes.length - 1 && bytes[start] === 0) start += 1;
    let trimmed = bytes.subarray(start);
    if ((trimmed[0] ?? 0) & 0x80) trimmed = Buffer.concat([Buffer.from([0]), trimmed]);
    return Buffer.concat([Buffer.from([0x02, trimmed.length]), trimmed]);
  };
  const body = Buffer.concat([integer(signature.subarray(0, 32)), integer(signature.subarray(32))]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}

describe('signatures interoperate with other implementations', () => {
  const ca = createTestCa();
  const holders: Record<'ec' | 'rsa', { keyPair: KeyPair; certificate: Certificate }> = {
    ec: issueTestCertificate(ca, { profile: 'sign', commonName: '9011311' }),
    rsa: issueTestCertificate(ca, { profile: 'sign', commonName: '9011311', keyType: 'rsa-2048' }),
  };
  let dir: TempDir;

  beforeAll(() => {
    dir = createTempDir('ortoo-jws-');
  });
  afterAll(() => dir.remove());

  const signed = (kind: 'ec' | 'rsa', alg?: JwsAlgorithm) => {
    const { keyPair, certificate } = holders[kind];
    const signer = createJwsSigner({
      privateKey: keyPair.privateKey,
      thumbprint: certificate.thumbprint,
      alg,
    });
    return signMessage(
      buildRequest({
        client: 'MN/GOV/7000001/e-services',
        service: 'MN/GOV/9011311/civil-registry/person',
        method: 'POST',
        userId: 'Бат-Эрдэнэ',
        body: { contentType: 'application/json', json: { registerNumber: 'УБ99010112' } },
      }),
      signer,
    );
  };

  it('openssl verifies an ES256 signature with the public key from the signer certificate', () => {
    const message = signed('ec');
    const input = `${message.signature.protected}.${Buffer.from(canonicalJson(message.envelope)).toString('base64url')}`;
    const certFile = dir.write('signer.pem', holders.ec.certificate.pem);
    const publicKey = openssl(['x509', '-in', certFile, '-noout', '-pubkey']);
    expect(publicKey.status).toBe(0);
    const keyFile = dir.write('signer.pub.pem', publicKey.stdout);
    const inputFile = dir.write('input.txt', input);
    const signature = Buffer.from(message.signature.signature, 'base64url');
    const sigFile = dir.write('sig.der', p1363ToDer(signature));

    const ok = openssl(['dgst', '-sha256', '-verify', keyFile, '-signature', sigFile, inputFile]);
    expect(ok.stdout.trim()).toBe('Verified OK');
    expect(ok.status).toBe(0);

    const tampered = dir.write('input-tampered.txt', `${input}x`);
    const bad = openssl(['dgst', '-sha256', '-verify', keyFile, '-signature', sigFile, tampered]);
    expect(bad.status).not.toBe(0);
  });

  it('openssl verifies an RS256 signature as PKCS#1 v1.5 over SHA-256', () => {
    const message = signed('rsa', 'RS256');
    const input = `${message.signature.protected}.${Buffer.from(canonicalJson(message.envelope)).toString('base64url')}`;
    const keyFile = dir.write('rsa.pub.pem', publicKeyToPem(holders.rsa.keyPair.publicKey));
    const sigFile = dir.write('rsa.sig', Buffer.from(message.signature.signature, 'base64url'));
    const ok = openssl([
      'dgst',
      '-sha256',
      '-verify',
      keyFile,
      '-signature',
      sigFile,
      dir.write('rsa.txt', input),
    ]);
    expect(ok.stdout.trim()).toBe('Verified OK');
  });

  it.each<['ec' | 'rsa', JwsAlgorithm]>([
    ['ec', 'ES256'],
    ['rsa', 'RS256'],
    ['rsa', 'PS256'],
  ])('the jose library verifies a %s %s signature given the detached payload', async (kind, alg) => {
    const message = signed(kind, alg);
    const result = await jose.flattenedVerify(
      {
        protected: message.signature.protected,
        signature: message.signature.signature,
        payload: Buffer.from(canonicalJson(message.envelope)).toString('base64url'),
      },
      holders[kind].keyPair.publicKey,
    );
    expect(result.protectedHeader).toEqual({ alg, 'x5t#S256': holders[kind].certificate.thumbprint });
    expect(JSON.parse(new TextDecoder().decode(result.payload))).toEqual(message.envelope);
  });

  it('verifies a signature the jose library made over the canonical envelope', async () => {
    const unsigned = buildRequest({
      client: 'MN/GOV/7000001/e-services',
      service: 'MN/GOV/9011311/civil-registry/person',
      method: 'GET',
    });
    const { certificate, keyPair } = holders.ec;
    const jws = await new jose.FlattenedSign(new TextEncoder().encode(canonicalJson(unsigned.envelope)))
      .setProtectedHeader({ alg: 'ES256', 'x5t#S256': certificate.thumbprint })
      .sign(keyPair.privateKey);
    const message = {
      envelope: unsigned.envelope,
      signature: { protected: jws.protected ?? '', signature: jws.signature },
    };
    const resolve = (thumbprint: string) => (thumbprint === certificate.thumbprint ? certificate : undefined);
    expect(verifyMessage(message, resolve)).toBe(certificate);
  });
});
