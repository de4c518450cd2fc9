/**
 * Audit records of exchanges, appended through the gateway's AuditTrail the
 * way its message pipeline appends them: accepted, queued, delivered, answered.
 */
import { randomUUID } from 'node:crypto';
import type { AuditTrail } from '../../gateway/src/audit/audit-trail';

/** One exchange to record. */
export interface Exchange {
  messageId?: string;
  client: string;
  service: string;
  userId?: string;
  securityServer?: string;
  /** The data subject's identifier, in clear. */
  dataSubject?: string;
  /** The stated purpose (`X-Road-Issue`). */
  issue?: string;
}

/** The pipeline's steps, in order. */
export const STORY_EVENTS = ['accepted', 'queued', 'delivered', 'answered'] as const;

/**
 * Records the four steps of one exchange and returns its message id. `tick`
 * runs before each step (to move a test clock).
 */
export async function recordExchange(
  audit: AuditTrail,
  exchange: Exchange,
  tick: () => void = () => undefined,
): Promise<string> {
  const messageId = exchange.messageId ?? randomUUID();
  const common = {
    messageId,
    client: exchange.client,
    service: exchange.service,
    ...(exchange.userId === undefined ? {} : { userId: exchange.userId }),
    ...(exchange.securityServer === undefined ? {} : { securityServer: exchange.securityServer }),
    ...(exchange.dataSubject === undefined ? {} : { dataSubject: exchange.dataSubject }),
    requestHash: `req-${messageId}`,
    requestSignature: `sig-req-${messageId}`,
  };
  const issue = exchange.issue === undefined ? {} : { issue: exchange.issue };
  tick();
  await audit.record({ event: 'accepted', outcome: 'ok', ...common, detail: issue });
  tick();
  await audit.record({ event: 'queued', outcome: 'ok', ...common, detail: { attempt: 0 } });
  tick();
  await audit.record({ event: 'delivered', outcome: 'ok', ...common, detail: { ...issue, attempt: 1 } });
  tick();
  await audit.record({
    event: 'answered',
    outcome: 'ok',
    ...common,
    responseHash: `res-${messageId}`,
    responseSignature: `sig-res-${messageId}`,
    detail: { ...issue, status: 200 },
  });
  return messageId;
}
