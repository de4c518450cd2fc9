import { Router } from 'express';
import { OrtooError } from '../../../core/src';
import type { RouterFactory } from '../app';
import { listRegistryChanges } from '../console/change-log';
import { overviewSummary } from '../console/overview-summary';
import type { DeliveryQueues } from '../delivery/delivery-queues';
import { pageRequest, toPage } from './pagination';

/**
 * What the console shows that no other route answers: the overview's
 * summary and the registry's change log. Both read-only, for admins and
 * auditors; the change log shows registry changes only, never a message.
 */
export function consoleDataRouter(queues?: DeliveryQueues): RouterFactory {
  return (deps, guards) => {
    const router = Router();

    router.get('/v1/overview', guards.read, async (_req, res) => {
      res.json(
        await overviewSummary({
          db: deps.store,
          globalConf: deps.globalConf,
          now: deps.clock(),
          ...(queues === undefined ? {} : { queues }),
        }),
      );
    });

    router.get('/v1/changes', guards.read, async (req, res) => {
      const { q } = req.query;
      if (q !== undefined && (typeof q !== 'string' || q.length > 200)) {
        throw new OrtooError('BadRequest', 'q must be given once, at most 200 characters');
      }
      const page = pageRequest(req);
      if (page.after !== undefined && !/^\d{1,15}$/.test(page.after)) {
        throw new OrtooError('BadRequest', 'cursor is not one this API gave out');
      }
      const changes = await listRegistryChanges(deps.store, {
        ...(q === undefined || q === '' ? {} : { text: q }),
        ...(page.after === undefined ? {} : { beforeSeq: Number(page.after) }),
        limit: page.limit + 1,
      });
      res.json(toPage(changes, page, (change) => String(change.seq)));
    });

    return router;
  };
}
