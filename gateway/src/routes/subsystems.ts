import express, { type Request } from 'express';
import {
  OrtooError,
  formatMemberId,
  formatSubsystemId,
  parseMemberId,
  parseSubsystemId,
} from '../../../core/src';
import type { RouterFactory } from '../app';
import { validateBody } from '../middleware/validate-body';
import { findMember } from '../registry/member-repository';
import {
  deleteSubsystem,
  findSubsystem,
  insertSubsystem,
  listSubsystems,
  servicesProvidedBy,
} from '../registry/subsystem-repository';
import { pageRequest, toPage } from './pagination';
import { recordAdminChange } from './admin-change';

/** Body of `POST /v1/subsystems`, as `schemas/admin/subsystem-create.schema.json` lets through. */
interface SubsystemCreate {
  id: string;
  name?: string;
}

/** Most service ids quoted in a 409 message; `detail` has them all. */
const QUOTED_SERVICES = 5;

/** The subsystem id named by the path `/v1/subsystems/:instance/:memberClass/:memberCode/:subsystemCode`. */
function subsystemIdOf(req: Request): string {
  const { instance, memberClass, memberCode, subsystemCode } = req.params as Record<string, string>;
  return formatSubsystemId(parseSubsystemId(`${instance}/${memberClass}/${memberCode}/${subsystemCode}`));
}

function notFound(id: string): OrtooError {
  return new OrtooError('NotFound', `No subsystem ${id}`, { detail: { id } });
}

/** Subsystems: the parties of a member that call and provide services. */
export const subsystemsRouter: RouterFactory = (deps, guards) => {
  const router = express.Router();
  const path = '/v1/subsystems/:instance/:memberClass/:memberCode/:subsystemCode';

  router.get('/v1/subsystems', guards.read, async (req, res) => {
    const page = pageRequest(req);
    const { member } = req.query;
    const memberId = member === undefined ? undefined : formatMemberId(parseMemberId(member));
    const rows = await listSubsystems(deps.store, { memberId }, page.after, page.limit + 1);
    res.json(toPage(rows, page, (subsystem) => subsystem.id));
  });

  router.post(
    '/v1/subsystems',
    guards.write,
    validateBody(deps.schemas, 'subsystem-create'),
    async (req, res) => {
      const body = req.body as SubsystemCreate;
      const id = parseSubsystemId(body.id);
      const memberId = formatMemberId(id);
      const name = body.name ?? '';
      const { subsystem, created } = await deps.audit.transaction(async (tx) => {
        // Held until commit, so the member cannot be revoked or deleted under the new subsystem.
        const member = await findMember(tx, memberId, { lock: 'share' });
        if (member === undefined) {
          throw new OrtooError('NotFound', `No member ${memberId}`, { detail: { memberId } });
        }
        const inserted = member.status === 'active' ? await insertSubsystem(tx, { id, name }) : undefined;
        if (inserted !== undefined) {
          await recordAdminChange(tx, res, { action: 'subsystems.create', id: inserted.id, name });
          return { subsystem: inserted, created: true };
        }
        // Not inserted: it exists already (a repeat or a conflict), or the member is revoked.
        const existing = await findSubsystem(tx, body.id);
        if (existing === undefined) {
          throw new OrtooError('Conflict', `Member ${memberId} is revoked; it can have no new subsystems`, {
            detail: { memberId },
          });
        }
        if (existing.name !== name) {
          throw new OrtooError('Conflict', `Subsystem ${body.id} already exists with another name`, {
            detail: { id: existing.id, name: existing.name },
          });
        }
        return { subsystem: existing, created: false };
      });
      res.status(created ? 201 : 200).json(subsystem);
    },
  );

  router.get(path, guards.read, async (req, res) => {
    const id = subsystemIdOf(req);
    const subsystem = await findSubsystem(deps.store, id);
    if (subsystem === undefined) throw notFound(id);
    res.json(subsystem);
  });

  router.delete(path, guards.write, async (req, res) => {
    const id = subsystemIdOf(req);
    await deps.audit.transaction(async (tx) => {
      if ((await findSubsystem(tx, id)) === undefined) throw notFound(id);
      const services = await servicesProvidedBy(tx, id);
      if (services.length > 0) {
        const quoted = services.slice(0, QUOTED_SERVICES).join(', ');
        const more =
          services.length > QUOTED_SERVICES ? ` and ${services.length - QUOTED_SERVICES} more` : '';
        throw new OrtooError(
          'Conflict',
          `Subsystem ${id} still provides ${services.length === 1 ? 'the service' : 'the services'} ${quoted}${more}; delete them first`,
          { detail: { id, services } },
        );
      }
      if (!(await deleteSubsystem(tx, id))) throw notFound(id);
      await recordAdminChange(tx, res, { action: 'subsystems.delete', id });
    });
    res.status(204).end();
  });

  return router;
};
