import { OrtooError, type SqlExecutor } from '../../../core/src';

/**
 * Requires the subsystem to be registered and its member not revoked, as a
 * service's provider or an access right's client must be. In a transaction the
 * rows are locked for share, so neither can be deleted or revoked before it
 * commits.
 *
 * @param role - what the subsystem would be, for the messages.
 * @throws OrtooError `NotFound` when there is no such subsystem; `Conflict`
 *   when its member is revoked.
 */
export async function requireActiveSubsystem(
  db: SqlExecutor,
  subsystemId: string,
  role: 'provider' | 'client',
): Promise<void> {
  const [row] = await db.query<{ member_id: string; status: string }>(
    `SELECT s.member_id, m.status FROM subsystems s JOIN members m ON m.id = s.member_id
     WHERE s.id = $1 FOR SHARE`,
    [subsystemId],
  );
  if (row === undefined) {
    throw new OrtooError('NotFound', `No subsystem ${subsystemId} is registered`, {
      detail: { [role === 'provider' ? 'providerId' : 'clientId']: subsystemId },
    });
  }
  if (row.status === 'revoked') {
    throw new OrtooError('Conflict', `Member ${row.member_id} of ${role} ${subsystemId} is revoked`, {
      detail: { memberId: row.member_id },
    });
  }
}
