import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders, RequestListener } from 'node:http';
import type https from 'node:https';
import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import {
  OrtooError,
  certificateThumbprint,
  createHardenedServer,
  type HardenedServerOptions,
} from '../../core/src';
import type { LocalSystem as LocalSystemConfig } from './config';

/** An authenticated caller of the client proxy: one of the agency's own systems. */
export interface AuthenticatedLocalSystem {
  /** Its name in the config, recorded with the messages it sends. */
  readonly name: string;
  /** The client subsystems it may act as (`INSTANCE/CLASS/CODE/SUBSYSTEM`). */
  readonly clients: ReadonlySet<string>;
}

/** What a caller presented to prove which local system it is. */
export interface LocalSystemCredentials {
  /** The API key of `Authorization: Bearer …` or `X-Road-Apikey`. */
  readonly apiKey?: string;
  /** `x5t#S256` of the TLS client certificate it presented. */
  readonly certificateThumbprint?: string;
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;
/** X-Road's own form, `Authorization: X-Road-Apikey token=<key>`, so its clients work unchanged. */
const XROAD_APIKEY = /^X-Road-Apikey\s+token=(\S+)\s*$/i;

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The TLS client certificate's `x5t#S256` thumbprint, whoever issued it: a
 * local system's certificate is pinned by thumbprint in the config, not
 * chained to a CA (the listener asks for a certificate without rejecting
 * unknown issuers; the handshake still proves the caller holds its key).
 * Undefined on a plain HTTP socket or without a certificate.
 */
export function clientCertificateThumbprint(socket: Socket | undefined): string | undefined {
  if (!(socket instanceof TLSSocket)) return undefined;
  const certificate = socket.getPeerX509Certificate();
  return certificate === undefined ? undefined : certificateThumbprint(certificate.raw);
}

/**
 * An HTTPS server, not listening, for local systems that authenticate with a
 * TLS client certificate (`clientProxy.tlsPort`): it presents the server's
 * auth certificate and asks every client for a certificate without judging
 * its issuer (agencies' own certificates are pinned by thumbprint in the
 * config, see {@link clientCertificateThumbprint}); clients without one may
 * still use an API key. Hardened like every listener ({@link createHardenedServer}).
 */
export function createLocalSystemTlsServer(
  app: RequestListener,
  tls: { readonly certificatePem: string; readonly keyPem: string },
  hardening: Omit<HardenedServerOptions, 'tls'> = {},
): https.Server {
  return createHardenedServer(app, {
    ...hardening,
    tls: {
      cert: tls.certificatePem,
      key: tls.keyPem,
      requestCert: true,
      rejectUnauthorized: false,
      minVersion: 'TLSv1.2',
    },
  }) as https.Server;
}

/**
 * The headers of a request that carry the local system's credential for its
 * security server, which stay on that hop: `X-Road-Apikey`, and
 * `Authorization` unless `X-Road-Apikey` is given. With `X-Road-Apikey`,
 * `Authorization` belongs to the exchange (a JWT for the provider, PR-REST
 * 4.7) and is forwarded unmodified.
 */
export function credentialHeadersOf(headers: IncomingHttpHeaders): ReadonlySet<string> {
  return headers['x-road-apikey'] === undefined
    ? new Set(['x-road-apikey', 'authorization'])
    : new Set(['x-road-apikey']);
}

/**
 * The credentials of a request: an API key from `X-Road-Apikey: <key>` or,
 * without that header, `Authorization: Bearer <key>` or
 * `Authorization: X-Road-Apikey token=<key>`, and the
 * thumbprint of its TLS client certificate when it came over TLS.
 *
 * @throws OrtooError `Unauthenticated` when an `Authorization` header has another scheme.
 */
export function credentialsOf(headers: IncomingHttpHeaders, socket?: Socket): LocalSystemCredentials {
  const authorization = credentialHeadersOf(headers).has('authorization')
    ? single(headers.authorization)
    : undefined;
  let apiKey: string | undefined;
  if (authorization !== undefined) {
    apiKey = (BEARER.exec(authorization) ?? XROAD_APIKEY.exec(authorization))?.[1];
    if (apiKey === undefined) {
      throw new OrtooError('Unauthenticated', 'Authorization must be "Bearer <api key>"');
    }
  }
  apiKey ??= single(headers['x-road-apikey'])?.trim() || undefined;
  const thumbprint = clientCertificateThumbprint(socket);
  return {
    ...(apiKey === undefined ? {} : { apiKey }),
    ...(thumbprint === undefined ? {} : { certificateThumbprint: thumbprint }),
  };
}

/** A config entry with its secrets as bytes, ready for constant-time comparison. */
interface KnownSystem {
  readonly system: AuthenticatedLocalSystem;
  readonly keyHash: Buffer | undefined;
  readonly thumbprint: Buffer | undefined;
}

/** 32 bytes of a base64url SHA-256, or undefined for anything else (never matches). */
function digestBytes(value: string | undefined): Buffer | undefined {
  if (value === undefined) return undefined;
  const bytes = Buffer.from(value, 'base64url');
  return bytes.length === 32 ? bytes : undefined;
}

/** Compares all entries, never stopping at the first match, so timing does not tell which one matched. */
function findMatch(
  known: readonly KnownSystem[],
  presented: Buffer,
  field: 'keyHash' | 'thumbprint',
): AuthenticatedLocalSystem | undefined {
  let found: AuthenticatedLocalSystem | undefined;
  for (const entry of known) {
    const expected = entry[field];
    if (expected !== undefined && timingSafeEqual(expected, presented) && found === undefined) {
      found = entry.system;
    }
  }
  return found;
}

/**
 * The agency's own systems allowed to use the client proxy, from the config:
 * each proves who it is with an API key (compared by SHA-256 in constant
 * time; the config holds only the hash) or a pinned TLS client certificate,
 * and may act only as the client subsystems listed for it.
 */
export class LocalSystems {
  readonly #known: readonly KnownSystem[];

  constructor(systems: readonly LocalSystemConfig[]) {
    this.#known = systems.map((entry) => ({
      system: { name: entry.name, clients: new Set(entry.clients) },
      keyHash: digestBytes(entry.apiKeyHash),
      thumbprint: digestBytes(entry.certificateThumbprint),
    }));
  }

  /**
   * The local system these credentials prove. An API key, when given, must
   * be right (a wrong key is refused even with a known certificate).
   *
   * @throws OrtooError `Unauthenticated`.
   */
  authenticate(credentials: LocalSystemCredentials): AuthenticatedLocalSystem {
    if (credentials.apiKey !== undefined) {
      const system = findMatch(
        this.#known,
        createHash('sha256').update(credentials.apiKey, 'utf8').digest(),
        'keyHash',
      );
      if (system === undefined) throw new OrtooError('Unauthenticated', 'Unknown API key');
      return system;
    }
    const thumbprint = digestBytes(credentials.certificateThumbprint);
    if (thumbprint !== undefined) {
      const system = findMatch(this.#known, thumbprint, 'thumbprint');
      if (system === undefined) {
        throw new OrtooError('Unauthenticated', 'The TLS client certificate is not one of a local system');
      }
      return system;
    }
    throw new OrtooError(
      'Unauthenticated',
      'A local system must authenticate: Authorization: Bearer <api key>, X-Road-Apikey: <api key>, or a TLS client certificate',
    );
  }
}

/**
 * Checks that `system` may act as the client subsystem `client`.
 *
 * @throws OrtooError `Forbidden` naming the local system and the client.
 */
export function assertMayActAs(system: AuthenticatedLocalSystem, client: string): void {
  if (system.clients.has(client)) return;
  throw new OrtooError('Forbidden', `Local system ${system.name} may not act as ${client}`, {
    detail: { localSystem: system.name, client },
  });
}
