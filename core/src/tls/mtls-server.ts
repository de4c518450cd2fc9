import type { IncomingMessage, RequestListener } from 'node:http';
import type https from 'node:https';
import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import { createHardenedServer, type ListenerLimits } from '../http/harden-server';
import { certificateThumbprint } from '../pki/thumbprint';

/** Options of {@link createMtlsServer}. */
export interface MtlsServerOptions {
  /** PEM certificate the server presents (an `auth` certificate issued by the instance CA). */
  readonly certificatePem: string;
  /** PEM private key of that certificate. */
  readonly keyPem: string;
  /** PEM certificates of the CAs client certificates must chain to: the instance CA, nothing else. */
  readonly caPem: readonly string[];
  /**
   * What the listener allows each client (timeouts, connections per peer).
   * The idle keep-alive timeout is long unless set: a mutual-TLS handshake
   * costs far more than a request, and the server announces it in
   * `Keep-Alive: timeout=…`, so Node clients drop their idle sockets first.
   * @defaultValue {@link DEFAULT_LISTENER_LIMITS}, with `keepAliveTimeoutMs` 60_000
   */
  readonly limits?: ListenerLimits;
  /** Told the X-Road type of each request refused before the application saw it. */
  readonly onRefused?: (type: string) => void;
}

const DEFAULT_KEEP_ALIVE_TIMEOUT_MS = 60_000;

/**
 * An HTTPS server, not listening, that only talks to clients presenting a
 * certificate issued by one of `caPem` (TLS 1.2 or later), hardened as every
 * listener is ({@link createHardenedServer}). Which certificate
 * a request came with is {@link peerThumbprint}; whether that certificate
 * belongs to an active security server is for the application to decide, per
 * request, against the current global configuration (a revoked server's
 * certificate still chains to the CA).
 */
export function createMtlsServer(app: RequestListener, options: MtlsServerOptions): https.Server {
  return createHardenedServer(app, {
    limits: { keepAliveTimeoutMs: DEFAULT_KEEP_ALIVE_TIMEOUT_MS, ...options.limits },
    tls: {
      cert: options.certificatePem,
      key: options.keyPem,
      ca: [...options.caPem],
      requestCert: true,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
    },
    ...(options.onRefused === undefined ? {} : { onRefused: options.onRefused }),
  }) as https.Server;
}

// A connection presents one certificate for its whole life, and carries many requests.
const thumbprints = new WeakMap<Socket, string>();

/**
 * The `x5t#S256` thumbprint (base64url SHA-256 of the DER) of the certificate
 * the peer of a TLS socket presented and the handshake verified; undefined
 * for a plain socket, one not (yet) verified, or one without a certificate.
 * Computed once per socket.
 */
export function socketPeerThumbprint(socket: Socket): string | undefined {
  const cached = thumbprints.get(socket);
  if (cached !== undefined) return cached;
  if (!(socket instanceof TLSSocket) || !socket.authorized) return undefined;
  const certificate = socket.getPeerX509Certificate();
  if (certificate === undefined) return undefined;
  const thumbprint = certificateThumbprint(certificate.raw);
  thumbprints.set(socket, thumbprint);
  return thumbprint;
}

/**
 * The `x5t#S256` thumbprint of the client certificate a request came with
 * over mutual TLS; undefined when it came without one (plain HTTP, as in
 * in-process tests).
 */
export function peerThumbprint(req: IncomingMessage): string | undefined {
  return socketPeerThumbprint(req.socket);
}
