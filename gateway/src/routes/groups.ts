import express, { type Request } from 'express';
import { OrtooError, formatSubsystemId, parseSubsystemId } from '../../../core/src';
import type { RouterFactory } from '../app';
import { validateBody } from '../middleware/validate-body';
import {
  addGlobalGroupMember,
  countGroupAccessRights,
  deleteGlobalGroup,
  findGlobalGroup,
  formatGlobalGroupId,
  insertGlobalGroup,
  listGlobalGroups,
  parseGlobalGroupId,
  removeGlobalGroupMember,
} from '../registry/global-group-repository';
import { findMember } from '../registry/member-repository';
import { findSubsystem } from '../registry/subsystem-repository';
import { pageRequest, toPage } from './pagination';
import { recordAdminChange } from './admin-change';

/** Body of `POST /v1/groups`, as `schemas/admin/group-create.schema.json` lets through. */
interface GroupCreate {
  id: string;
  description?: string;
}

/** Body of `POST /v1/groups/…/members`, as `schemas/admin/group-member-add.schema.json` lets through. */
interface GroupMemberAdd {
  subsystemId: string;
}

/** The group id named by the path `/v1/groups/:instance/:groupCode`. */
function groupIdOf(req: Request): string {
  const { instance, groupCode } = req.params as Record<string, string>;
  return formatGlobalGroupId(parseGlobalGroupId(`${instance}/${groupCode}`));
}

function notFound(id: string): OrtooError {
  return new OrtooError('NotFound', `No global group ${id}`, { detail: { id } });
}

/** Global groups: sets of subsystems that access rights can be granted to at once. */
export const groupsRouter: RouterFactory = (deps, guards) => {
  const router = express.Router();
  const path = '/v1/groups/:instance/:groupCode';

  router.get('/v1/groups', guards.read, async (req, res) => {
    const page = pageRequest(req);
    const rows = await listGlobalGroups(deps.store, page.after, page.limit + 1);
    res.json(toPage(rows, page, (group) => group.id));
  });

  router.post('/v1/groups', guards.write, validateBody(deps.schemas, 'group-create'), async (req, res) => {
    const body = req.body as GroupCreate;
    const id = parseGlobalGroupId(body.id);
    if (id.instance !== deps.config.instance) {
      throw new OrtooError(
        'BadRequest',
        `Group ${body.id} belongs to instance ${id.instance}, but this gateway serves instance ${deps.config.instance}`,
        { detail: { pointer: '/id', instance: deps.config.instance } },
      );
    }
    const description = body.description ?? '';
    const { group, created } = await deps.audit.transaction(async (tx) => {
      const inserted = await insertGlobalGroup(tx, { id, description });
      if (inserted !== undefined) {
        await recordAdminChange(tx, res, { action: 'groups.create', id: inserted.id });
        return { group: inserted, created: true };
      }
      const existing = await findGlobalGroup(tx, body.id);
      // Only a concurrent delete between the insert and this read gets here.
      if (existing === undefined)
        throw new OrtooError('Conflict', `Group ${body.id} changed meanwhile; retry`);
      if (existing.description !== description) {
        throw new OrtooError('Conflict', `Group ${body.id} already exists with another description`, {
          detail: { id: existing.id, description: existing.description },
        });
      }
      return { group: existing, created: false };
    });
    res.status(created ? 201 : 200).json(group);
  });

  router.get(path, guards.read, async (req, res) => {
    const id = groupIdOf(req);
    const group = await findGlobalGroup(deps.store, id);
    if (group === undefined) throw notFound(id);
    res.json(group);
  });

  router.delete(path, guards.write, async (req, res) => {
    const id = groupIdOf(req);
    await deps.audit.transaction(async (tx) => {
      const group = await findGlobalGroup(tx, id);
      if (group === undefined) throw notFound(id);
      // The schema drops the group's access rights with it; the record says how many went.
      const accessRights = await countGroupAccessRights(tx, id);
      if (!(await deleteGlobalGroup(tx, id))) throw notFound(id);
      await recordAdminChange(tx, res, {
        action: 'groups.delete',
        id,
        members: group.members,
        removedAccessRights: accessRights,
      });
    });
    res.status(204).end();
  });

  router.post(
    `${path}/members`,
    guards.write,
    validateBody(deps.schemas, 'group-member-add'),
    async (req, res) => {
      const id = groupIdOf(req);
      const subsystemId = formatSubsystemId(parseSubsystemId((req.body as GroupMemberAdd).subsystemId));
      const { group, added } = await deps.audit.transaction(async (tx) => {
        if ((await findGlobalGroup(tx, id)) === undefined) throw notFound(id);
        const subsystem = await findSubsystem(tx, subsystemId);
        if (subsystem === undefined) {
          throw new OrtooError('NotFound', `No subsystem ${subsystemId}`, { detail: { subsystemId } });
        }
        // Held until commit, so the member cannot be revoked while its subsystem joins.
        const member = await findMember(tx, subsystem.memberId, { lock: 'share' });
        if (member?.status !== 'active') {
          throw new OrtooError(
            'Conflict',
            `Member ${subsystem.memberId} is revoked; its subsystem ${subsystemId} cannot join groups`,
            { detail: { subsystemId, memberId: subsystem.memberId } },
          );
        }
        const isNew = await addGlobalGroupMember(tx, id, subsystemId);
        if (isNew) await recordAdminChange(tx, res, { action: 'groups.add-member', id, subsystemId });
        const updated = await findGlobalGroup(tx, id);
        if (updated === undefined) throw notFound(id);
        return { group: updated, added: isNew };
      });
      res.status(added ? 201 : 200).json(group);
    },
  );

  router.delete(
    `${path}/members/:memberInstance/:memberClass/:memberCode/:subsystemCode`,
    guards.write,
    async (req, res) => {
      const id = groupIdOf(req);
      const { memberInstance, memberClass, memberCode, subsystemCode } = req.params as Record<string, string>;
      const subsystemId = formatSubsystemId(
        parseSubsystemId(`${memberInstance}/${memberClass}/${memberCode}/${subsystemCode}`),
      );
      await deps.audit.transaction(async (tx) => {
        if ((await findGlobalGroup(tx, id)) === undefined) throw notFound(id);
        if (!(await removeGlobalGroupMember(tx, id, subsystemId))) {
          throw new OrtooError('NotFound', `Subsystem ${subsystemId} is not in group ${id}`, {
            detail: { id, subsystemId },
          });
        }
        await recordAdminChange(tx, res, { action: 'groups.remove-member', id, subsystemId });
      });
      res.status(204).end();
    },
  );

  return router;
};
