import { type KeyObject, constants, sign, verify } from 'node:crypto';
import { OrtooError } from '../errors';
import { keyAlgorithmOf } from '../pki/key-pair';
import type { DetachedJws } from './envelope';

/**
 * JWS (RFC 7515) with a detached payload, signed and verified with
 * `node:crypto` on cached `KeyObject`s: the hot path of every exchange.
 * The signer is named by the SHA-256 thumbprint of its certificate in the
 * standard `x5t#S256` header, so any JOSE library or openssl can check a
 * signature given the certificate.
 */

/** Signature algorithms Örtöö accepts; ES256 is what it makes by default. */
export type JwsAlgorithm = 'ES256' | 'RS256' | 'PS256';

/** Every algorithm a verifier accepts unless told otherwise. */
export const JWS_ALGORITHMS: readonly JwsAlgorithm[] = ['ES256', 'RS256', 'PS256'];

/** The protected header of every Örtöö signature. */
export interface JwsHeader {
  readonly alg: JwsAlgorithm;
  readonly 'x5t#S256': string;
}

/** Something that signs payloads as one certificate holder. */
export interface JwsSigner {
  readonly alg: JwsAlgorithm;
  /** `x5t#S256` of the signer's certificate. */
  readonly thumbprint: string;
  /** Signs `payload` (the canonical JSON text) and returns the detached JWS. */
  sign(payload: string): DetachedJws;
}

/** Options of {@link createJwsSigner}. */
export interface JwsSignerOptions {
  /** The signing key, kept as a `KeyObject` so it is parsed once. */
  privateKey: KeyObject;
  /** SHA-256 thumbprint of the certificate that holds the matching public key. */
  thumbprint: string;
  /**
   * Algorithm to sign with.
   * @defaultValue `ES256` for EC P-256 keys, `RS256` for RSA keys
   */
  alg?: JwsAlgorithm;
}

/** The node:crypto settings of each algorithm: all use SHA-256, differing in padding and encoding. */
const CRYPTO_OPTIONS: Record<
  JwsAlgorithm,
  { dsaEncoding?: 'ieee-p1363'; padding?: number; saltLength?: number }
> = {
  ES256: { dsaEncoding: 'ieee-p1363' }, // JOSE carries R||S, not DER
  RS256: {},
  PS256: { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, // RFC 7518 §3.5: salt = hash size
};

/** The key family each algorithm needs. */
const KEY_FAMILY: Record<JwsAlgorithm, 'ec-p256' | 'rsa'> = { ES256: 'ec-p256', RS256: 'rsa', PS256: 'rsa' };

/** Why `key` cannot be used with `alg`, or undefined when it can. */
function keyMismatch(alg: JwsAlgorithm, key: KeyObject): string | undefined {
  let family: 'ec-p256' | 'rsa';
  try {
    family = keyAlgorithmOf(key);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  return family === KEY_FAMILY[alg]
    ? undefined
    : `${alg} needs an ${KEY_FAMILY[alg] === 'rsa' ? 'RSA' : 'EC P-256'} key`;
}

function defaultAlgorithm(key: KeyObject): JwsAlgorithm {
  return key.asymmetricKeyType === 'rsa' ? 'RS256' : 'ES256';
}

/**
 * Makes a signer for one key and certificate. The protected header is the same
 * for every signature of a signer, so it is encoded here once.
 *
 * @throws OrtooError `UnsupportedAlgorithm` when the key does not fit the algorithm.
 */
export function createJwsSigner(options: JwsSignerOptions): JwsSigner {
  const { privateKey, thumbprint } = options;
  const alg = options.alg ?? defaultAlgorithm(privateKey);
  const mismatch = keyMismatch(alg, privateKey);
  if (mismatch) throw new OrtooError('UnsupportedAlgorithm', mismatch, { detail: { alg } });
  const header: JwsHeader = { alg, 'x5t#S256': thumbprint };
  const encodedHeader = Buffer.from(JSON.stringify(header)).toString('base64url');
  const cryptoOptions = { key: privateKey, ...CRYPTO_OPTIONS[alg] };
  return {
    alg,
    thumbprint,
    sign(payload: string): DetachedJws {
      const input = `${encodedHeader}.${Buffer.from(payload).toString('base64url')}`;
      const signature = sign('sha256', Buffer.from(input), cryptoOptions).toString('base64url');
      return { protected: encodedHeader, signature };
    },
  };
}

/** A signer's public key as a verifier needs it; resolvers may return richer values. */
export interface SignerKey {
  readonly publicKey: KeyObject;
}

/** Finds the signer with the given certificate thumbprint, or undefined for an unknown signer. */
export type SignerResolver<S extends SignerKey> = (thumbprint: string) => S | undefined;

/** What a successful verification learnt. */
export interface VerifiedJws<S extends SignerKey> {
  readonly header: JwsHeader;
  /** What the resolver returned for the signer. */
  readonly signer: S;
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/**
 * Decodes base64url strictly: only the URL-safe alphabet, no padding, and only
 * the one canonical spelling, so no two strings decode to the same signature.
 */
function decodeBase64url(text: unknown, what: string): Buffer {
  if (typeof text !== 'string' || !BASE64URL.test(text)) {
    throw new OrtooError('InvalidSignature', `JWS ${what} is not base64url`);
  }
  const bytes = Buffer.from(text, 'base64url');
  if (bytes.toString('base64url') !== text) {
    throw new OrtooError('InvalidSignature', `JWS ${what} is not canonical base64url`);
  }
  return bytes;
}

const THUMBPRINT = /^[A-Za-z0-9_-]{43}$/;

/** Parses and checks a protected header: exactly `alg` and `x5t#S256`, nothing Örtöö would ignore. */
function parseHeader(encoded: unknown, algorithms: readonly JwsAlgorithm[]): JwsHeader {
  let header: unknown;
  try {
    header = JSON.parse(decodeBase64url(encoded, 'protected header').toString('utf8'));
  } catch (cause) {
    if (cause instanceof OrtooError) throw cause;
    throw new OrtooError('InvalidSignature', 'JWS protected header is not JSON', { cause });
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new OrtooError('InvalidSignature', 'JWS protected header is not an object');
  }
  const { alg, 'x5t#S256': thumbprint, ...rest } = header as Record<string, unknown>;
  const extra = Object.keys(rest);
  if (extra.length > 0) {
    throw new OrtooError('InvalidSignature', 'JWS protected header has unsupported parameters', {
      detail: { parameters: extra.slice(0, 10) },
    });
  }
  if (!algorithms.includes(alg as JwsAlgorithm)) {
    throw new OrtooError('UnsupportedAlgorithm', 'JWS algorithm is not accepted', {
      detail: { alg: typeof alg === 'string' ? alg.slice(0, 20) : null, accepted: algorithms },
    });
  }
  if (typeof thumbprint !== 'string' || !THUMBPRINT.test(thumbprint)) {
    throw new OrtooError('InvalidSignature', 'JWS header has no valid x5t#S256 certificate thumbprint');
  }
  return { alg: alg as JwsAlgorithm, 'x5t#S256': thumbprint };
}

/**
 * Verifies a detached JWS over `payload` (the canonical JSON text).
 *
 * @param resolve - finds the signer by certificate thumbprint; checking that
 *   certificate (chain, validity, revocation) is the caller's business.
 * @param algorithms - algorithms accepted; defaults to {@link JWS_ALGORITHMS}.
 * @throws OrtooError `InvalidSignature`, `UnsupportedAlgorithm` or `UnknownSigner`.
 */
export function verifyDetachedJws<S extends SignerKey>(
  payload: string,
  jws: DetachedJws,
  resolve: SignerResolver<S>,
  algorithms: readonly JwsAlgorithm[] = JWS_ALGORITHMS,
): VerifiedJws<S> {
  if (typeof jws !== 'object' || jws === null) throw new OrtooError('InvalidSignature', 'JWS is missing');
  const header = parseHeader(jws.protected, algorithms);
  const signature = decodeBase64url(jws.signature, 'signature');
  const signer = resolve(header['x5t#S256']);
  if (signer === undefined) {
    throw new OrtooError('UnknownSigner', 'Signer certificate is not known', {
      detail: { thumbprint: header['x5t#S256'] },
    });
  }
  const mismatch = keyMismatch(header.alg, signer.publicKey);
  if (mismatch) throw new OrtooError('InvalidSignature', mismatch, { detail: { alg: header.alg } });
  const input = Buffer.from(`${jws.protected}.${Buffer.from(payload).toString('base64url')}`);
  let valid: boolean;
  try {
    valid = verify('sha256', input, { key: signer.publicKey, ...CRYPTO_OPTIONS[header.alg] }, signature);
  } catch (cause) {
    // OpenSSL throws on signatures of the wrong length: that is a bad signature too.
    throw new OrtooError('InvalidSignature', 'Signature does not verify', { cause });
  }
  if (!valid) throw new OrtooError('InvalidSignature', 'Signature does not verify');
  return { header, signer };
}
