import type { RequestHandler } from 'express';
import { OrtooError, peerThumbprint, type GlobalConfIndex } from '../../../core/src';
import type { ConfHolder } from '../conf-holder';

/**
 * True when `thumbprint` is one of the gateway's TLS certificates the
 * global configuration lists (`gatewayCertificates`).
 */
export function isGatewayCertificate(index: GlobalConfIndex, thumbprint: string | undefined): boolean {
  return thumbprint !== undefined && index.conf.gatewayCertificates.some((c) => c.thumbprint === thumbprint);
}

/**
 * Lets through only requests that came over mutual TLS with one of the
 * gateway's certificates. The handshake only proved the certificate chains
 * to the instance CA, as every security server's does; the thumbprint is
 * checked per request, against the current configuration, so a rotation of
 * the gateway's certificate takes effect without a restart.
 *
 * @throws OrtooError `Forbidden` (to the error handler); `ConfigurationExpired`
 *   when there is no valid configuration to check against.
 */
export function requireGateway(conf: Pick<ConfHolder, 'index'>): RequestHandler {
  return (req, _res, next) => {
    const thumbprint = peerThumbprint(req);
    if (isGatewayCertificate(conf.index(), thumbprint)) {
      next();
      return;
    }
    throw new OrtooError('Forbidden', 'Only the gateway may call the provider proxy', {
      detail: thumbprint === undefined ? { reason: 'no-client-certificate' } : { thumbprint },
    });
  };
}
