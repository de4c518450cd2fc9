import express, { type Request } from 'express';
import {
  OrtooError,
  formatMemberId,
  formatSecurityServerId,
  parseMemberId,
  parseSecurityServerId,
} from '../../../core/src';
import type { RouterFactory } from '../app';
import { validateBody } from '../middleware/validate-body';
import { findMember } from '../registry/member-repository';
import {
  countServerCertificates,
  deleteSecurityServer,
  findSecurityServer,
  insertSecurityServer,
  listSecurityServers,
  updateSecurityServerAddress,
} from '../registry/security-server-repository';
import { pageRequest, toPage } from './pagination';
import { recordAdminChange } from './admin-change';

/** Body of `POST /v1/security-servers`, as `schemas/admin/security-server-create.schema.json` lets through. */
interface SecurityServerCreate {
  id: string;
  address: string;
}

/** Body of `PATCH /v1/security-servers/…`, as `schemas/admin/security-server-update.schema.json` lets through. */
interface SecurityServerUpdate {
  address: string;
}

/** The server id named by the path `/v1/security-servers/:instance/:memberClass/:memberCode/:serverCode`. */
function serverIdOf(req: Request): string {
  const { instance, memberClass, memberCode, serverCode } = req.params as Record<string, string>;
  return formatSecurityServerId(
    parseSecurityServerId(`${instance}/${memberClass}/${memberCode}/${serverCode}`),
  );
}

function notFound(id: string): OrtooError {
  return new OrtooError('NotFound', `No security server ${id}`, { detail: { id } });
}

/** Security servers: where each member's exchanges enter and leave the network. */
export const securityServersRouter: RouterFactory = (deps, guards) => {
  const router = express.Router();
  const path = '/v1/security-servers/:instance/:memberClass/:memberCode/:serverCode';

  router.get('/v1/security-servers', guards.read, async (req, res) => {
    const page = pageRequest(req);
    const { owner } = req.query;
    const ownerId = owner === undefined ? undefined : formatMemberId(parseMemberId(owner));
    const rows = await listSecurityServers(deps.store, { ownerId }, page.after, page.limit + 1);
    res.json(toPage(rows, page, (server) => server.id));
  });

  router.post(
    '/v1/security-servers',
    guards.write,
    validateBody(deps.schemas, 'security-server-create'),
    async (req, res) => {
      const body = req.body as SecurityServerCreate;
      const { address } = body;
      const id = parseSecurityServerId(body.id);
      const ownerId = formatMemberId(id);
      const { server, created } = await deps.audit.transaction(async (tx) => {
        // Held until commit, so the owner cannot be revoked or deleted under the new server.
        const owner = await findMember(tx, ownerId, { lock: 'share' });
        if (owner === undefined) {
          throw new OrtooError('NotFound', `No member ${ownerId}`, { detail: { ownerId } });
        }
        const inserted =
          owner.status === 'active' ? await insertSecurityServer(tx, { id, address }) : undefined;
        if (inserted !== undefined) {
          await recordAdminChange(tx, res, {
            action: 'security-servers.create',
            id: inserted.id,
            address,
          });
          return { server: inserted, created: true };
        }
        // Not inserted: it exists already (a repeat or a conflict), or the owner is revoked.
        const existing = await findSecurityServer(tx, body.id);
        if (existing === undefined) {
          throw new OrtooError(
            'Conflict',
            `Member ${ownerId} is revoked; it can have no new security servers`,
            {
              detail: { ownerId },
            },
          );
        }
        if (existing.address !== address) {
          throw new OrtooError('Conflict', `Security server ${body.id} already exists with another address`, {
            detail: { id: existing.id, address: existing.address },
          });
        }
        return { server: existing, created: false };
      });
      res.status(created ? 201 : 200).json(server);
    },
  );

  router.get(path, guards.read, async (req, res) => {
    const id = serverIdOf(req);
    const server = await findSecurityServer(deps.store, id);
    if (server === undefined) throw notFound(id);
    res.json(server);
  });

  router.patch(path, guards.write, validateBody(deps.schemas, 'security-server-update'), async (req, res) => {
    const id = serverIdOf(req);
    const { address } = req.body as SecurityServerUpdate;
    const server = await deps.audit.transaction(async (tx) => {
      const current = await findSecurityServer(tx, id);
      if (current === undefined) throw notFound(id);
      if (current.address === address) return current;
      const updated = await updateSecurityServerAddress(tx, id, address);
      if (updated === undefined) throw notFound(id);
      await recordAdminChange(tx, res, { action: 'security-servers.update', id, address });
      return updated;
    });
    res.json(server);
  });

  router.delete(path, guards.write, async (req, res) => {
    const id = serverIdOf(req);
    await deps.audit.transaction(async (tx) => {
      if ((await findSecurityServer(tx, id)) === undefined) throw notFound(id);
      const certificates = await countServerCertificates(tx, id);
      if (certificates > 0) {
        throw new OrtooError(
          'Conflict',
          `Security server ${id} still has ${certificates} ${certificates === 1 ? 'certificate' : 'certificates'}: certificates stay on record, so revoke the server instead`,
          { detail: { id, certificates } },
        );
      }
      if (!(await deleteSecurityServer(tx, id))) throw notFound(id);
      await recordAdminChange(tx, res, { action: 'security-servers.delete', id });
    });
    res.status(204).end();
  });

  return router;
};
