import path from 'node:path';
import { verifyDetachedJws } from '../envelope/jws';
import { OrtooError } from '../errors';
import type { Certificate } from '../pki/certificate';
import { protocolSchema } from '../schemas/protocol-schema';
import type { GlobalConf, SignedGlobalConf } from './global-conf';

/** `schemas/global-conf.schema.json`, the document's JSON Schema. */
export const GLOBAL_CONF_SCHEMA_FILE = path.resolve(__dirname, '../../../schemas/global-conf.schema.json');

/** Default of {@link VerifyGlobalConfOptions.maxClockSkewMs}. */
export const DEFAULT_GLOBAL_CONF_CLOCK_SKEW_MS = 60_000;

/** Options of {@link verifyGlobalConf}. */
export interface VerifyGlobalConfOptions {
  /** The configuration-signing certificate the security server was given at set-up. */
  readonly anchor: Certificate;
  /** The instant to judge at. */
  readonly now: Date;
  /** The instance the document must be of; any when absent. */
  readonly instance?: string;
  /**
   * How far the clocks may differ: `generatedAt` may lie this far in the
   * future, and the document is used until this long after `expiresAt`.
   * @defaultValue {@link DEFAULT_GLOBAL_CONF_CLOCK_SKEW_MS}
   */
  readonly maxClockSkewMs?: number;
}

/** The document's schema, compiled on first use. */
const validateDocument = protocolSchema(GLOBAL_CONF_SCHEMA_FILE);

const BASE64URL = /^[A-Za-z0-9_-]*$/;
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** The wire object, strictly: exactly the three JWS members, all strings. */
function parseWire(wire: unknown): SignedGlobalConf {
  let value = wire;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch (cause) {
      throw new OrtooError('InvalidSignature', 'Global configuration is not JSON', { cause });
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new OrtooError('InvalidSignature', 'Global configuration is not a JWS object');
  }
  const { payload, protected: header, signature, ...rest } = value as Record<string, unknown>;
  if (Object.keys(rest).length > 0) {
    // An unprotected `header` member could name another key; nothing unsigned is accepted.
    throw new OrtooError('InvalidSignature', 'Global configuration JWS has unexpected members', {
      detail: { members: Object.keys(rest).slice(0, 10) },
    });
  }
  if (typeof payload !== 'string' || typeof header !== 'string' || typeof signature !== 'string') {
    throw new OrtooError(
      'InvalidSignature',
      'Global configuration JWS needs payload, protected and signature',
    );
  }
  return { payload, protected: header, signature };
}

/** The payload's text: canonical base64url of valid UTF-8, so the signed bytes are exactly these. */
function decodePayload(payload: string): string {
  const bytes = BASE64URL.test(payload) ? Buffer.from(payload, 'base64url') : undefined;
  if (bytes === undefined || bytes.toString('base64url') !== payload) {
    throw new OrtooError('InvalidSignature', 'Global configuration payload is not canonical base64url');
  }
  try {
    return UTF8.decode(bytes);
  } catch (cause) {
    throw new OrtooError('InvalidSignature', 'Global configuration payload is not UTF-8', { cause });
  }
}

function invalidDocument(message: string, detail?: unknown): OrtooError {
  return new OrtooError('InvalidAnswer', message, detail === undefined ? {} : { detail });
}

/**
 * Checks a signed global configuration and returns the document: signed by
 * the trust anchor (named by its `x5t#S256`), the anchor valid at `now`, the
 * signature good over exactly the payload's bytes, the document matching its
 * schema, of the expected instance, not generated in the future, not expired.
 *
 * @param wire - the {@link SignedGlobalConf}, parsed or as JSON text.
 * @throws OrtooError `InvalidSignature` for anything altered or signed by
 *   another key (also `UnsupportedAlgorithm` for an algorithm not accepted);
 *   `CertificateExpired` / `InvalidCertificate` when the anchor is not valid at
 *   `now`; `InvalidAnswer` for a signed document that is malformed, of another
 *   instance or from the future; `ConfigurationExpired` once it has expired.
 */
export function verifyGlobalConf(wire: unknown, options: VerifyGlobalConfOptions): GlobalConf {
  const { anchor, now } = options;
  const jws = parseWire(wire);
  const text = decodePayload(jws.payload);
  try {
    verifyDetachedJws(text, jws, (thumbprint) => (thumbprint === anchor.thumbprint ? anchor : undefined));
  } catch (error) {
    if (error instanceof OrtooError && error.code === 'UnknownSigner') {
      throw new OrtooError('InvalidSignature', 'Global configuration is not signed by the trust anchor', {
        detail: { ...(error.detail as object), anchor: anchor.thumbprint },
      });
    }
    throw error;
  }

  if (!anchor.isValidAt(now)) {
    const detail = { notBefore: anchor.notBefore.toISOString(), notAfter: anchor.notAfter.toISOString() };
    throw now.getTime() > anchor.notAfter.getTime()
      ? new OrtooError('CertificateExpired', 'Global configuration trust anchor has expired', { detail })
      : new OrtooError('InvalidCertificate', 'Global configuration trust anchor is not valid yet', {
          detail,
        });
  }

  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (cause) {
    throw new OrtooError('InvalidAnswer', 'Global configuration payload is not JSON', { cause });
  }
  const result = validateDocument(document);
  if (!result.valid) {
    throw invalidDocument('Global configuration does not match its schema', { errors: result.errors });
  }
  const conf = document as GlobalConf;

  if (options.instance !== undefined && conf.instance !== options.instance) {
    throw invalidDocument('Global configuration is of another instance', {
      instance: conf.instance,
      expected: options.instance,
    });
  }
  const generatedAt = Date.parse(conf.generatedAt);
  const expiresAt = Date.parse(conf.expiresAt);
  const skew = options.maxClockSkewMs ?? DEFAULT_GLOBAL_CONF_CLOCK_SKEW_MS;
  if (generatedAt > now.getTime() + skew) {
    throw invalidDocument('Global configuration was generated in the future', {
      generatedAt: conf.generatedAt,
      now: now.toISOString(),
    });
  }
  if (expiresAt <= generatedAt) {
    throw invalidDocument('Global configuration expires before it was generated', {
      generatedAt: conf.generatedAt,
      expiresAt: conf.expiresAt,
    });
  }
  if (expiresAt + skew <= now.getTime()) {
    throw new OrtooError('ConfigurationExpired', 'Global configuration has expired', {
      detail: { expiresAt: conf.expiresAt, now: now.toISOString() },
    });
  }
  return conf;
}
