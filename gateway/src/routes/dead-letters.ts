import { Router, type Request } from 'express';
import { OrtooError, formatSecurityServerId, parseSecurityServerId } from '../../../core/src';
import type { RouterFactory } from '../app';
import { CALLBACK_JOB, DELIVER_JOB, type DeliveryJobName } from '../delivery/delivery-job';
import { deadLetterCursor, type DeliveryQueues } from '../delivery/delivery-queues';
import { principalOf } from '../middleware/authenticate';
import { pageRequest, toPage } from './pagination';

/** A message id, as the envelope schema allows it. */
const MESSAGE_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** Where one dead letter is: the server as four path segments, as every route names a server. */
const LETTER_PATH = '/v1/dead-letters/:instance/:memberClass/:memberCode/:serverCode/:id';

/** The server named by the path's segments, in its canonical form. */
function serverOf(req: Request): string {
  const { instance, memberClass, memberCode, serverCode } = req.params as Record<string, string>;
  return formatSecurityServerId(
    parseSecurityServerId(`${instance}/${memberClass}/${memberCode}/${serverCode}`),
  );
}

function messageIdOf(req: Request): string {
  const id = (req.params as Record<string, string>).id ?? '';
  if (!MESSAGE_ID.test(id)) throw new OrtooError('NotFound', 'No such dead letter');
  return id;
}

/** `?kind=`: a delivery to the provider (the default) or a callback to the consumer's server. */
function kindOf(req: Request): DeliveryJobName {
  const { kind } = req.query;
  if (kind === undefined || kind === DELIVER_JOB) return DELIVER_JOB;
  if (kind === CALLBACK_JOB) return CALLBACK_JOB;
  throw new OrtooError('BadRequest', `kind must be ${DELIVER_JOB} or ${CALLBACK_JOB}`);
}

/**
 * Dead letters: messages given up on after a permanent failure or their
 * last retry. Admins and auditors list and inspect them; admins replay
 * them. A replay is audited before it is done (fail closed: no replay
 * without its record).
 *
 * Not one of `ADMIN_ROUTERS`: it needs the delivery queues, so the gateway
 * mounts it when Redis is configured.
 */
export function deadLettersRouter(queues: DeliveryQueues): RouterFactory {
  return (deps, guards) => {
    const router = Router();

    router.get('/v1/dead-letters', guards.read, async (req, res) => {
      const { server } = req.query;
      if (server !== undefined && typeof server !== 'string') {
        throw new OrtooError('BadRequest', 'server must be given once');
      }
      const serverId =
        server === undefined ? undefined : formatSecurityServerId(parseSecurityServerId(server));
      const page = pageRequest(req);
      const letters = await queues.deadLetters({
        limit: page.limit + 1,
        ...(serverId === undefined ? {} : { serverId }),
        ...(page.after === undefined ? {} : { after: page.after }),
      });
      res.json(toPage(letters, page, deadLetterCursor));
    });

    router.get(LETTER_PATH, guards.read, async (req, res) => {
      const letter = await queues.deadLetter(serverOf(req), messageIdOf(req), kindOf(req));
      if (letter === undefined) throw new OrtooError('NotFound', 'No such dead letter');
      res.json(letter);
    });

    router.post(`${LETTER_PATH}/replay`, guards.write, async (req, res) => {
      const serverId = serverOf(req);
      const id = messageIdOf(req);
      const kind = kindOf(req);
      const letter = await queues.deadLetter(serverId, id, kind);
      if (letter === undefined) throw new OrtooError('NotFound', 'No such dead letter');
      await deps.audit.record({
        event: 'dead-letter.replayed',
        outcome: 'ok',
        actor: principalOf(res).name,
        messageId: id,
        client: letter.client,
        service: letter.service,
        securityServer: serverId,
        detail: { kind, attempts: letter.attempts, failedAt: letter.failedAt, reason: letter.reason.type },
      });
      if (!(await queues.replay(serverId, id, kind))) {
        throw new OrtooError('Conflict', 'The message was replayed meanwhile');
      }
      res.status(202).json({ id, kind, serverId, state: 'queued' });
    });

    return router;
  };
}
