import express, { type Request } from 'express';
import { OrtooError, formatMemberId, parseMemberId } from '../../../core/src';
import type { RouterFactory } from '../app';
import { validateBody } from '../middleware/validate-body';
import {
  deleteMember,
  findMember,
  insertMember,
  listMembers,
  memberDependents,
  renameMember,
  type Member,
  type MemberDependents,
} from '../registry/member-repository';
import { pageRequest, toPage } from './pagination';
import { recordAdminChange } from './admin-change';

/** Body of `POST /v1/members`, as `schemas/admin/member-create.schema.json` lets through. */
interface MemberCreate {
  id: string;
  name: string;
}

/** Body of `PATCH /v1/members/…`, as `schemas/admin/member-update.schema.json` lets through. */
interface MemberUpdate {
  name: string;
}

/** The member id named by the path `/v1/members/:instance/:memberClass/:memberCode`. */
function memberIdOf(req: Request): string {
  const { instance, memberClass, memberCode } = req.params as Record<string, string>;
  return formatMemberId(parseMemberId(`${instance}/${memberClass}/${memberCode}`));
}

function notFound(id: string): OrtooError {
  return new OrtooError('NotFound', `No member ${id}`, { detail: { id } });
}

/** `2 subsystems, 1 security server and 3 certificates`: what a member still has, for a 409. */
function describeDependents(dependents: MemberDependents): string {
  const kinds: [number, string, string][] = [
    [dependents.subsystems, 'subsystem', 'subsystems'],
    [dependents.securityServers, 'security server', 'security servers'],
    [dependents.certificates, 'certificate', 'certificates'],
    [dependents.registrationTokens, 'registration token', 'registration tokens'],
    [dependents.registrationRequests, 'registration request', 'registration requests'],
  ];
  const parts = kinds
    .filter(([count]) => count > 0)
    .map(([count, one, many]) => `${count} ${count === 1 ? one : many}`);
  return parts.length <= 1 ? parts.join('') : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
}

/** Members: the organisations of the instance. */
export const membersRouter: RouterFactory = (deps, guards) => {
  const router = express.Router();
  const path = '/v1/members/:instance/:memberClass/:memberCode';

  router.get('/v1/members', guards.read, async (req, res) => {
    const page = pageRequest(req);
    const rows = await listMembers(deps.store, page.after, page.limit + 1);
    res.json(toPage(rows, page, (member) => member.id));
  });

  router.post('/v1/members', guards.write, validateBody(deps.schemas, 'member-create'), async (req, res) => {
    const body = req.body as MemberCreate;
    const id = parseMemberId(body.id);
    if (id.instance !== deps.config.instance) {
      throw new OrtooError(
        'BadRequest',
        `Member ${body.id} belongs to instance ${id.instance}, but this gateway serves instance ${deps.config.instance}`,
        { detail: { pointer: '/id', instance: deps.config.instance } },
      );
    }
    const { member, created } = await deps.audit.transaction(async (tx) => {
      const inserted = await insertMember(tx, { id, name: body.name });
      if (inserted !== undefined) {
        await recordAdminChange(tx, res, {
          action: 'members.create',
          id: inserted.id,
          name: inserted.name,
        });
        return { member: inserted, created: true };
      }
      return { member: sameMember(await findMember(tx, body.id), body), created: false };
    });
    res.status(created ? 201 : 200).json(member);
  });

  router.get(path, guards.read, async (req, res) => {
    const id = memberIdOf(req);
    const member = await findMember(deps.store, id);
    if (member === undefined) throw notFound(id);
    res.json(member);
  });

  router.patch(path, guards.write, validateBody(deps.schemas, 'member-update'), async (req, res) => {
    const id = memberIdOf(req);
    const { name } = req.body as MemberUpdate;
    const member = await deps.audit.transaction(async (tx) => {
      const current = await findMember(tx, id);
      if (current === undefined) throw notFound(id);
      if (current.name === name) return current;
      const renamed = await renameMember(tx, id, name);
      if (renamed === undefined) throw notFound(id);
      await recordAdminChange(tx, res, { action: 'members.update', id, name });
      return renamed;
    });
    res.json(member);
  });

  router.delete(path, guards.write, async (req, res) => {
    const id = memberIdOf(req);
    await deps.audit.transaction(async (tx) => {
      if ((await findMember(tx, id)) === undefined) throw notFound(id);
      const dependents = await memberDependents(tx, id);
      const still = describeDependents(dependents);
      if (still !== '') {
        // Certificates stay on record for the audit trail: such a member is revoked, never deleted.
        const advice = dependents.certificates > 0 ? 'revoke the member instead' : 'delete them first';
        throw new OrtooError('Conflict', `Member ${id} still has ${still}; ${advice}`, {
          detail: { id, ...dependents },
        });
      }
      if (!(await deleteMember(tx, id))) throw notFound(id);
      await recordAdminChange(tx, res, { action: 'members.delete', id });
    });
    res.status(204).end();
  });

  return router;
};

/**
 * The existing member when a create repeats it (200), else a 409: creates are
 * idempotent by id, so a client may retry one safely.
 */
function sameMember(existing: Member | undefined, body: MemberCreate): Member {
  // Only a concurrent delete between the insert and this read gets here.
  if (existing === undefined) throw new OrtooError('Conflict', `Member ${body.id} changed meanwhile; retry`);
  if (existing.name !== body.name) {
    throw new OrtooError('Conflict', `Member ${body.id} already exists with another name`, {
      detail: { id: existing.id, name: existing.name },
    });
  }
  return existing;
}
