import { generateKeyPairSync } from 'node:crypto';

import { createCsr, generateKeyPair, parseCsr, privateKeyToPem, type KeyPair } from '../../../core/src/pki';
import { ortooError } from '../../helpers/pki-matchers';
import { createTempDir, openssl, type TempDir } from '../../helpers/pki-openssl';

const ORGANIZATION = 'Улсын бүртгэлийн ерөнхий газар';

// PEM body <-> DER, to tamper with a CSR the way an attacker would.
function derOf(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s/g, ''), 'base64');
}
function pemOf(der: Buffer): string {
  return `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
}

describe('certificate signing requests', () => {
  let ecKeys: KeyPair;
  let rsaKeys: KeyPair;
  let dir: TempDir;

  beforeAll(() => {
    ecKeys = generateKeyPair('ec-p256');
    rsaKeys = generateKeyPair('rsa-2048');
    dir = createTempDir();
  });

  afterAll(() => dir.remove());

  describe.each([
    ['EC P-256', () => ecKeys],
    ['RSA-2048', () => rsaKeys],
  ])('with an %s key', (_name, keys) => {
    it('round-trips the subject (Cyrillic included), the key and the names', () => {
      const pem = createCsr({
        subject: {
          commonName: 'ss1.civil-registry.gov.mn',
          organization: ORGANIZATION,
          organizationalUnit: 'GOV',
          country: 'MN',
        },
        keyPair: keys(),
        dnsNames: ['ss1.civil-registry.gov.mn', 'localhost'],
        ipAddresses: ['127.0.0.1', '::1'],
      });

      const csr = parseCsr(pem);

      expect(csr.subject).toEqual({
        commonName: 'ss1.civil-registry.gov.mn',
        organization: ORGANIZATION,
        organizationalUnit: 'GOV',
        country: 'MN',
      });
      expect(csr.publicKey.equals(keys().publicKey)).toBe(true);
      expect(csr.dnsNames).toEqual(['ss1.civil-registry.gov.mn', 'localhost']);
      expect(csr.ipAddresses).toEqual(['127.0.0.1', '::1']);
    });

    it('is a request openssl reads and whose signature it accepts', () => {
      const file = dir.write(
        `csr-${keys().publicKey.asymmetricKeyType}.pem`,
        createCsr({
          subject: { commonName: 'ss1', organization: ORGANIZATION },
          keyPair: keys(),
          dnsNames: ['localhost'],
        }),
      );

      const result = openssl(['req', '-in', file, '-noout', '-verify', '-text', '-nameopt', 'utf8']);

      expect(result.status).toBe(0);
      expect(result.stdout).toContain(`O=${ORGANIZATION}, CN=ss1`);
      expect(result.stdout).toContain('DNS:localhost');
    });
  });

  it('carries no extension request when there are no names', () => {
    const csr = parseCsr(createCsr({ subject: { commonName: 'signer' }, keyPair: ecKeys }));
    expect(csr.dnsNames).toEqual([]);
    expect(csr.ipAddresses).toEqual([]);
  });

  it('reads a CSR made by openssl', () => {
    const keyFile = dir.write('openssl-key.pem', privateKeyToPem(ecKeys.privateKey));
    const made = openssl([
      'req',
      '-new',
      '-key',
      keyFile,
      '-subj',
      '/C=MN/O=Tax Authority/CN=ss2',
      '-addext',
      'subjectAltName=DNS:ss2.local,IP:10.0.0.2',
    ]);
    expect(made.status).toBe(0);

    const csr = parseCsr(made.stdout);

    expect(csr.subject).toEqual({ commonName: 'ss2', organization: 'Tax Authority', country: 'MN' });
    expect(csr.dnsNames).toEqual(['ss2.local']);
    expect(csr.ipAddresses).toEqual(['10.0.0.2']);
  });

  it('refuses a CSR whose content was changed after signing', () => {
    const der = derOf(createCsr({ subject: { commonName: 'honest' }, keyPair: ecKeys }));
    const at = der.indexOf('honest');
    der.write('HONEST', at, 'latin1');

    expect(() => parseCsr(pemOf(der))).toThrow(ortooError('BadRequest', 'signature does not verify'));
  });

  it('refuses a CSR that asks to certify a key other than the one that signed it', () => {
    const mine = derOf(createCsr({ subject: { commonName: 'victim' }, keyPair: ecKeys }));
    const theirs = generateKeyPair().publicKey.export({ format: 'der', type: 'spki' });
    const ours = ecKeys.publicKey.export({ format: 'der', type: 'spki' });
    const forged = Buffer.from(
      mine.toString('latin1').replace(ours.toString('latin1'), theirs.toString('latin1')),
      'latin1',
    );
    expect(forged.equals(mine)).toBe(false);

    expect(() => parseCsr(pemOf(forged))).toThrow(ortooError('BadRequest', 'signature does not verify'));
  });

  it.each([
    ['empty text', ''],
    ['text that is not PEM', 'hello'],
    ['a PEM block of another kind', '-----BEGIN CERTIFICATE-----\nMAMCAQA=\n-----END CERTIFICATE-----\n'],
    ['PEM that is not DER', pemOf(Buffer.from('not der at all'))],
    ['DER of something else', pemOf(Buffer.from('3003020100', 'hex'))],
  ])('refuses %s with BadRequest', (_name, pem) => {
    expect(() => parseCsr(pem)).toThrow(ortooError('BadRequest'));
  });

  it('refuses a truncated CSR and one with bytes appended', () => {
    const der = derOf(createCsr({ subject: { commonName: 'ss1' }, keyPair: ecKeys }));
    expect(() => parseCsr(pemOf(der.subarray(0, der.length - 5)))).toThrow(ortooError('BadRequest'));
    expect(() => parseCsr(pemOf(Buffer.concat([der, Buffer.from([0])])))).toThrow(ortooError('BadRequest'));
  });

  it('refuses two CSRs in one PEM', () => {
    const one = createCsr({ subject: { commonName: 'ss1' }, keyPair: ecKeys });
    expect(() => parseCsr(one + one)).toThrow(ortooError('BadRequest'));
  });

  it('refuses keys Örtöö does not accept with UnsupportedAlgorithm, whoever made the CSR', () => {
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    expect(() => createCsr({ subject: { commonName: 'ss1' }, keyPair: p384 })).toThrow(
      ortooError('UnsupportedAlgorithm'),
    );

    const keyFile = dir.write('p384-key.pem', privateKeyToPem(p384.privateKey));
    const made = openssl(['req', '-new', '-key', keyFile, '-subj', '/CN=ss1']);
    expect(made.status).toBe(0);
    expect(() => parseCsr(made.stdout)).toThrow(ortooError('UnsupportedAlgorithm'));
  });

  it('refuses invalid subjects and names with BadRequest', () => {
    const make = (overrides: object) => () =>
      createCsr({ subject: { commonName: 'ss1' }, keyPair: ecKeys, ...overrides });
    expect(make({ subject: { commonName: '' } })).toThrow(ortooError('BadRequest'));
    expect(make({ subject: { commonName: 'x'.repeat(65) } })).toThrow(ortooError('BadRequest'));
    expect(make({ subject: { commonName: 'ss1', country: 'Mongolia' } })).toThrow(ortooError('BadRequest'));
    expect(make({ dnsNames: ['not a host'] })).toThrow(ortooError('BadRequest'));
    expect(make({ ipAddresses: ['300.1.1.1'] })).toThrow(ortooError('BadRequest'));
  });
});
