import { Router } from 'express';
import { OrtooError, normalizeSerialNumber } from '../../../core/src';
import type { RouterFactory } from '../app';
import { validateBody } from '../middleware/validate-body';
import {
  findCertificate,
  listCertificates,
  type CertificateFilter,
} from '../registry/certificate-repository';
import { revokeCertificate } from '../registry/revocation';
import { pageRequest, toPage } from './pagination';
import { registryChange } from './admin-change';

function serialParam(value: unknown): string {
  if (typeof value !== 'string' || !/^[0-9A-Fa-f:]{1,64}$/.test(value)) {
    throw new OrtooError('BadRequest', 'A serial number is hexadecimal');
  }
  return normalizeSerialNumber(value);
}

function optionalQuery(value: unknown, name: string, allowed?: readonly string[]): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || (allowed !== undefined && !allowed.includes(value))) {
    throw new OrtooError('BadRequest', `Bad ?${name}=${allowed ? `: one of ${allowed.join(', ')}` : ''}`);
  }
  return value;
}

/** Certificates the instance CA issued: list, read, revoke. */
export const certificatesRouter: RouterFactory = (deps, guards) => {
  const router = Router();

  router.get('/v1/certificates', guards.read, async (req, res) => {
    const filter: CertificateFilter = {
      memberId: optionalQuery(req.query.member, 'member'),
      securityServerId: optionalQuery(req.query.server, 'server'),
      status: optionalQuery(req.query.status, 'status', ['active', 'revoked']) as CertificateFilter['status'],
      kind: optionalQuery(req.query.kind, 'kind', ['sign', 'auth']) as CertificateFilter['kind'],
    };
    const page = pageRequest(req);
    res.json(
      toPage(await listCertificates(deps.store, filter, page), page, (certificate) => certificate.serial),
    );
  });

  router.get('/v1/certificates/:serial', guards.read, async (req, res) => {
    const serial = serialParam(req.params.serial);
    const certificate = await findCertificate(deps.store, serial);
    if (certificate === undefined) throw new OrtooError('NotFound', `No certificate with serial ${serial}`);
    res.json(certificate);
  });

  router.post(
    '/v1/certificates/:serial/revoke',
    guards.write,
    validateBody(deps.schemas, 'revocation'),
    async (req, res) => {
      const serial = serialParam(req.params.serial);
      const { reason } = req.body as { reason: string };
      const certificate = await registryChange(
        deps,
        res,
        (tx) => revokeCertificate(tx, serial, { reason, at: deps.clock() }),
        (result) => ({
          action: 'certificates.revoke',
          id: serial,
          memberId: result.memberId,
          securityServer: result.securityServerId,
          reason,
        }),
      );
      res.json(certificate);
    },
  );

  return router;
};
