import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { OrtooError, createHardenedServer, type HardenedServerOptions, type Logger } from '../../core/src';
import type { GatewayConfig } from './config';
import type { GatewayTrust } from './trust/gateway-trust';

/** Hosts plain HTTP is meant for: the machine itself. */
const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** The admin listener's certificate and key: the instance CA's TLS identity of the gateway, or the operator's files. */
function tlsOf(config: GatewayConfig, trust: GatewayTrust): { cert: string; key: string } {
  const { tls, tlsCertFile, tlsKeyFile } = config.http;
  if (tls === 'instance-ca') return { cert: trust.tls.certificate.pem, key: trust.tls.keyPem };
  if (tlsCertFile === undefined || tlsKeyFile === undefined) {
    throw new OrtooError(
      'InvalidConfiguration',
      'ORTOO_GATEWAY_TLS=files needs ORTOO_GATEWAY_TLS_CERT and _KEY',
    );
  }
  try {
    return { cert: readFileSync(tlsCertFile, 'utf8'), key: readFileSync(tlsKeyFile, 'utf8') };
  } catch (cause) {
    throw new OrtooError('InvalidConfiguration', `The admin listener's certificate or key cannot be read`, {
      cause,
    });
  }
}

/**
 * Starts the admin listener (admin API, console, metrics): HTTPS when
 * `http.tls` says so, else plain HTTP, which is meant for 127.0.0.1 (the
 * default host) and is warned about anywhere else, since sessions and tokens
 * would cross the network in clear.
 */
export async function listenAdmin(
  app: Express,
  config: GatewayConfig,
  trust: GatewayTrust,
  logger: Logger,
  hardening: Omit<HardenedServerOptions, 'tls'> = {},
): Promise<{ server: Server; url: string }> {
  const { host, port, tls } = config.http;
  // Header, body and request timeouts and connections per peer, over HTTP or HTTPS alike.
  const server = createHardenedServer(app, {
    ...hardening,
    ...(tls === 'off' ? {} : { tls: tlsOf(config, trust) }),
  });
  if (tls === 'off' && !LOOPBACK.has(host)) {
    logger.warn('the admin listener serves plain HTTP beyond this machine; set ORTOO_GATEWAY_TLS', { host });
  }
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
    server.listen(port, host);
  });
  const bound = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return { server, url: `${tls === 'off' ? 'http' : 'https'}://${shownHost}:${bound}` };
}
