import { createPublicKey } from 'node:crypto';
import * as jose from 'jose';
import { canonicalJson, createJwsSigner } from '../../../core/src/envelope';
import type { ErrorCode } from '../../../core/src/errors';
import { signGlobalConf, verifyGlobalConf, type SignedGlobalConf } from '../../../core/src/global-conf';
import { PKI_DATES, issueTestCertificate } from '../../helpers/pki-fixtures';
import {
  CONF_EXPIRES_AT,
  CONF_NOW,
  createConfSigning,
  sampleGlobalConf,
} from '../../helpers/global-conf-fixtures';

describe('verifyGlobalConf', () => {
  const signing = createConfSigning();
  const conf = sampleGlobalConf(signing);
  const wire = signGlobalConf(conf, signing.signer);
  const options = { anchor: signing.anchor, now: CONF_NOW };

  const codeOf = (run: () => unknown): ErrorCode | undefined => {
    try {
      run();
      return undefined;
    } catch (error) {
      return (error as { code?: ErrorCode }).code;
    }
  };

  /** Flips one bit of the character at `index` of a base64url string, keeping it canonical. */
  const alter = (text: string, index: number): string => {
    const bytes = Buffer.from(text, 'base64url');
    bytes[index] = (bytes[index] ?? 0) ^ 0x01;
    return bytes.toString('base64url');
  };

  it('returns the document signed by the trust anchor', () => {
    expect(verifyGlobalConf(wire, options)).toEqual(conf);
    expect(verifyGlobalConf(JSON.stringify(wire), { ...options, instance: 'MN' })).toEqual(conf);
  });

  it('puts exactly the canonical JSON of the document in the payload', () => {
    expect(Buffer.from(wire.payload, 'base64url').toString('utf8')).toBe(canonicalJson(conf));
  });

  it('is a standard flattened JWS that jose verifies with the certificate', async () => {
    const key = createPublicKey(signing.anchor.pem);
    const result = await jose.flattenedVerify(wire, key, { algorithms: ['ES256'] });
    expect(result.protectedHeader).toEqual({ alg: 'ES256', 'x5t#S256': signing.anchor.thumbprint });
    expect(JSON.parse(new TextDecoder().decode(result.payload))).toEqual(conf);
  });

  it('refuses a payload with one byte changed', () => {
    for (const index of [0, 100, Buffer.from(wire.payload, 'base64url').length - 1]) {
      expect(codeOf(() => verifyGlobalConf({ ...wire, payload: alter(wire.payload, index) }, options))).toBe(
        'InvalidSignature',
      );
    }
  });

  it('refuses a signature with one byte changed', () => {
    expect(codeOf(() => verifyGlobalConf({ ...wire, signature: alter(wire.signature, 10) }, options))).toBe(
      'InvalidSignature',
    );
  });

  it('refuses a document signed by another key, even one the same CA certified', () => {
    const other = issueTestCertificate(signing.ca, { profile: 'sign', commonName: 'impostor' });
    const forged = signGlobalConf(
      conf,
      createJwsSigner({ privateKey: other.keyPair.privateKey, thumbprint: other.certificate.thumbprint }),
    );
    expect(codeOf(() => verifyGlobalConf(forged, options))).toBe('InvalidSignature');
    // Naming the anchor's thumbprint does not help a signature made with another key.
    const lying = signGlobalConf(
      conf,
      createJwsSigner({ privateKey: other.keyPair.privateKey, thumbprint: signing.anchor.thumbprint }),
    );
    expect(codeOf(() => verifyGlobalConf(lying, options))).toBe('InvalidSignature');
  });

  it('refuses unsigned extras, non-canonical encodings and other shapes', () => {
    const cases: unknown[] = [
      { ...wire, header: { kid: 'x' } },
      { ...wire, payload: `${wire.payload}=` },
      { protected: wire.protected, signature: wire.signature },
      `${JSON.stringify(wire)}garbage`,
      null,
      [wire],
    ];
    for (const value of cases)
      expect(codeOf(() => verifyGlobalConf(value, options))).toBe('InvalidSignature');
  });

  it('refuses a document expired by more than the clock skew allows with ConfigurationExpired', () => {
    const late = (ms: number) => new Date(CONF_EXPIRES_AT.getTime() + ms);
    expect(verifyGlobalConf(wire, { ...options, now: late(59_000) })).toEqual(conf);
    expect(codeOf(() => verifyGlobalConf(wire, { ...options, now: late(60_000) }))).toBe(
      'ConfigurationExpired',
    );
    expect(
      codeOf(() => verifyGlobalConf(wire, { ...options, now: CONF_EXPIRES_AT, maxClockSkewMs: 0 })),
    ).toBe('ConfigurationExpired');
  });

  it('refuses a document generated further in the future than the clock skew allows', () => {
    const early = new Date(Date.parse(conf.generatedAt) - 61_000);
    expect(codeOf(() => verifyGlobalConf(wire, { ...options, now: early }))).toBe('InvalidAnswer');
    expect(
      verifyGlobalConf(wire, { ...options, now: new Date(Date.parse(conf.generatedAt) - 30_000) }),
    ).toEqual(conf);
  });

  it('refuses a signed document that does not match the schema or is of another instance', () => {
    const bad = (document: unknown) =>
      signGlobalConf(document as Parameters<typeof signGlobalConf>[0], signing.signer);
    expect(codeOf(() => verifyGlobalConf(bad({ ...conf, members: [{ id: 'not an id' }] }), options))).toBe(
      'InvalidAnswer',
    );
    expect(codeOf(() => verifyGlobalConf(bad({ ...conf, format: 'ortoo-global-conf/2' }), options))).toBe(
      'InvalidAnswer',
    );
    expect(codeOf(() => verifyGlobalConf(wire, { ...options, instance: 'EE' }))).toBe('InvalidAnswer');
  });

  it('refuses everything once the trust anchor has expired', () => {
    expect(codeOf(() => verifyGlobalConf(wire, { ...options, now: PKI_DATES.after }))).toBe(
      'CertificateExpired',
    );
  });

  it('gives the schema a document that uses every optional field and none', () => {
    const minimal = sampleGlobalConf(signing, {
      signCertificates: [],
      services: [{ ...conf.services[0]!, dataSubjectPointer: undefined }].map(
        ({ dataSubjectPointer: _unused, ...service }) => service,
      ),
      accessRights: [],
      groups: [],
      revokedCertificates: [],
    });
    const signed: SignedGlobalConf = signGlobalConf(minimal, signing.signer);
    expect(verifyGlobalConf(signed, options)).toEqual(minimal);
  });
});
