import { Router } from 'express';
import {
  formatMemberId,
  formatSecurityServerId,
  parseMemberId,
  parseSecurityServerId,
} from '../../../core/src';
import type { RouterFactory } from '../app';
import { validateBody } from '../middleware/validate-body';
import { revokeMember, revokeSecurityServer } from '../registry/revocation';
import { registryChange } from './admin-change';

/** Revocation of members and security servers, with all their certificates, effective at once. */
export const revocationsRouter: RouterFactory = (deps, guards) => {
  const router = Router();
  const body = validateBody(deps.schemas, 'revocation');

  router.post(
    '/v1/members/:instance/:memberClass/:memberCode/revoke',
    guards.write,
    body,
    async (req, res) => {
      const { instance, memberClass, memberCode } = req.params;
      const id = formatMemberId(parseMemberId(`${instance}/${memberClass}/${memberCode}`));
      const { reason } = req.body as { reason: string };
      const result = await registryChange(
        deps,
        res,
        (tx) => revokeMember(tx, id, { reason, at: deps.clock() }),
        (revoked) => ({ action: 'members.revoke', id, reason, certificates: revoked.revokedCertificates }),
      );
      res.json(result);
    },
  );

  router.post(
    '/v1/security-servers/:instance/:memberClass/:memberCode/:serverCode/revoke',
    guards.write,
    body,
    async (req, res) => {
      const { instance, memberClass, memberCode, serverCode } = req.params;
      const id = formatSecurityServerId(
        parseSecurityServerId(`${instance}/${memberClass}/${memberCode}/${serverCode}`),
      );
      const { reason } = req.body as { reason: string };
      const result = await registryChange(
        deps,
        res,
        (tx) => revokeSecurityServer(tx, id, { reason, at: deps.clock() }),
        (revoked) => ({
          action: 'security-servers.revoke',
          id,
          securityServer: id,
          reason,
          certificates: revoked.revokedCertificates,
        }),
      );
      res.json(result);
    },
  );

  return router;
};
