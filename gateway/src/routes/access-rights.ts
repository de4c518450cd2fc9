import { Router } from 'express';
import {
  OrtooError,
  formatServiceId,
  formatEndpoint,
  formatSubsystemId,
  parseEndpoint,
  parseServiceId,
  parseSubsystemId,
  sqlStateOf,
} from '../../../core/src';
import type { RouterFactory } from '../app';
import { validateBody } from '../middleware/validate-body';
import {
  deleteAccessRight,
  findAccessRight,
  insertAccessRight,
  listAccessRights,
  lockGroupForShare,
  type RightHolder,
} from '../registry/access-right-repository';
import { lockServiceForShare } from '../registry/service-repository';
import { requireActiveSubsystem } from '../registry/subsystem-standing';
import { recordAdminChange } from './admin-change';
import { pageRequest, toPage } from './pagination';

/** A global group's id, `INSTANCE/GROUP`, by the part rules of core's identifiers. */
const GROUP_ID = /^(?!\.+(?:\/|$))[A-Za-z0-9._-]{1,64}\/(?!\.+$)[A-Za-z0-9._-]{1,64}$/;
/** Access right ids are positive integers that fit a JavaScript number. */
const RIGHT_ID = /^[1-9][0-9]{0,14}$/;

/** Body of `POST /v1/access-rights`, as `access-right-create.schema.json` lets it through. */
type AccessRightCreateBody = { serviceId: string; endpoint?: { method: string; path: string } } & (
  { clientId: string } | { groupId: string }
);

/** A `?group=` filter. @throws OrtooError `InvalidIdentifier` */
function parseGroupId(text: unknown): string {
  if (typeof text !== 'string' || !GROUP_ID.test(text)) {
    throw new OrtooError('InvalidIdentifier', 'Invalid group identifier', {
      detail: { kind: 'group', expected: 'INSTANCE/GROUP' },
    });
  }
  return text;
}

/**
 * Access rights: `/v1/access-rights`. A right lets one subsystem, or every
 * subsystem of a global group, call every version of a service: every
 * endpoint of it, or one endpoint (a method and a path pattern, checked and
 * normalised by `parseEndpoint`). Giving the same right twice is answered
 * with the existing one.
 */
export const accessRightsRouter: RouterFactory = (deps, guards) => {
  const router = Router();

  router.get('/v1/access-rights', guards.read, async (req, res) => {
    const page = pageRequest(req);
    if (page.after !== undefined && !RIGHT_ID.test(page.after)) {
      throw new OrtooError('BadRequest', 'cursor is not one this API gave out');
    }
    const { service, client, group } = req.query;
    const rows = await listAccessRights(
      deps.store,
      {
        serviceId: service === undefined ? undefined : formatServiceId(parseServiceId(service)),
        clientId: client === undefined ? undefined : formatSubsystemId(parseSubsystemId(client)),
        groupId: group === undefined ? undefined : parseGroupId(group),
      },
      page,
    );
    res.json(toPage(rows, page, (right) => right.id));
  });

  router.post(
    '/v1/access-rights',
    guards.write,
    validateBody(deps.schemas, 'access-right-create'),
    async (req, res) => {
      const body = req.body as AccessRightCreateBody;
      const serviceId = formatServiceId(parseServiceId(body.serviceId));
      const holder: RightHolder =
        'clientId' in body
          ? { clientId: formatSubsystemId(parseSubsystemId(body.clientId)) }
          : { groupId: parseGroupId(body.groupId) };
      const endpoint =
        body.endpoint === undefined ? undefined : parseEndpoint(body.endpoint.method, body.endpoint.path);
      const { right, created } = await deps.audit.transaction(async (tx) => {
        // Share locks: the service's last version and the holder cannot go away before this commits.
        if (!(await lockServiceForShare(tx, serviceId))) {
          throw new OrtooError('NotFound', `No service ${serviceId} is registered`, {
            detail: { serviceId },
          });
        }
        if ('clientId' in holder) {
          await requireActiveSubsystem(tx, holder.clientId, 'client');
        } else if (!(await lockGroupForShare(tx, holder.groupId))) {
          throw new OrtooError('NotFound', `No global group ${holder.groupId} is registered`, {
            detail: { groupId: holder.groupId },
          });
        }
        const inserted = await insertAccessRight(tx, serviceId, holder, endpoint).catch((error: unknown) => {
          if (sqlStateOf(error) === '23503') {
            throw new OrtooError('NotFound', 'The subsystem or group of the right is not registered', {
              cause: error,
            });
          }
          throw error;
        });
        if (inserted === undefined) {
          const existing = await findAccessRight(tx, serviceId, holder, endpoint);
          if (existing === undefined)
            throw new OrtooError('Conflict', 'The right was changed meanwhile; try again');
          return { right: existing, created: false };
        }
        await recordAdminChange(tx, res, {
          action: 'access-rights.create',
          id: inserted.id,
          service: serviceId,
          ...('clientId' in holder ? { client: holder.clientId } : {}),
          serviceId,
          ...holder,
          ...(endpoint === undefined ? {} : { endpoint: formatEndpoint(endpoint) }),
        });
        return { right: inserted, created: true };
      });
      res.status(created ? 201 : 200).json(right);
    },
  );

  router.delete('/v1/access-rights/:id', guards.write, async (req, res) => {
    const { id = '' } = req.params as Record<string, string | undefined>;
    const notFound = new OrtooError('NotFound', `No access right ${id}`, { detail: { id } });
    if (!RIGHT_ID.test(id)) throw notFound;
    await deps.audit.transaction(async (tx) => {
      const right = await deleteAccessRight(tx, id);
      if (right === undefined) throw notFound;
      await recordAdminChange(tx, res, {
        action: 'access-rights.delete',
        id,
        service: right.serviceId,
        ...(right.clientId === undefined ? {} : { client: right.clientId, clientId: right.clientId }),
        ...(right.groupId === undefined ? {} : { groupId: right.groupId }),
        serviceId: right.serviceId,
        ...(right.endpoint === undefined ? {} : { endpoint: formatEndpoint(right.endpoint) }),
      });
    });
    res.status(204).end();
  });

  return router;
};
