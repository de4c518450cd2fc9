import type { SqlExecutor } from '../../../core/src';
import { AUDIT_TABLE_NAME } from './audit-table';

/** Events that end a message's story: after one of them it is no longer open. */
const OUTCOME_EVENTS = ['delivered', 'dead-lettered'] as const;

/**
 * The pipeline's one step after the `accepted` record: a message refused
 * there (its lease or job could not be put up, the caller told so) was never
 * queued, and that refusal ends its story too.
 */
const STEP_AFTER_ACCEPTANCE = 'queue';

/** Accepted messages without an outcome on record, as verification reports them. */
export interface OpenMessages {
  /** How long after its acceptance a message without an outcome counts as open. */
  readonly graceSeconds: number;
  readonly count: number;
  /** The oldest of them, at most `limit`. */
  readonly oldest: readonly { readonly messageId: string; readonly acceptedAt: string }[];
}

/**
 * The accepted messages that have no outcome on record (`delivered`,
 * `dead-lettered`, or refused at the queue step) `graceSeconds` after they were accepted: every accepted
 * message should end with one, so each is a finding for the auditor (an
 * outcome that could not be written, or a message that went missing).
 *
 * @throws OrtooError `DatabaseError` when the store cannot be read.
 */
export async function findOpenMessages(
  db: SqlExecutor,
  options: { readonly graceSeconds: number; readonly now: Date; readonly limit: number },
): Promise<OpenMessages> {
  const before = new Date(options.now.getTime() - options.graceSeconds * 1000);
  const open = `FROM ${AUDIT_TABLE_NAME} accepted
     WHERE accepted.event = 'accepted' AND accepted.at < $1
       AND NOT EXISTS (SELECT 1 FROM ${AUDIT_TABLE_NAME} outcome
                        WHERE outcome.message_id = accepted.message_id
                          AND (outcome.event = ANY($2::text[])
                               OR (outcome.event = 'rejected' AND outcome.seq > accepted.seq
                                   AND outcome.detail->>'step' = '${STEP_AFTER_ACCEPTANCE}')))`;
  const outcomes = [...OUTCOME_EVENTS];
  const [counted] = await db.query<{ count: number }>(`SELECT count(*)::int AS count ${open}`, [
    before,
    outcomes,
  ]);
  const rows = await db.query<{ message_id: string; at: Date }>(
    `SELECT accepted.message_id, accepted.at ${open} ORDER BY accepted.at, accepted.seq LIMIT $3`,
    [before, outcomes, options.limit],
  );
  return {
    graceSeconds: options.graceSeconds,
    count: counted?.count ?? 0,
    oldest: rows.map((row) => ({ messageId: row.message_id, acceptedAt: row.at.toISOString() })),
  };
}
