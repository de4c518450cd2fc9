import type { SqlExecutor } from '../../../core/src';

/** How a step ended: done, refused because of the caller, or failed on our side. */
export type AuditOutcome = 'ok' | 'refused' | 'failed';

/** One audit record, as the gateway's code hands it over. */
export interface AuditEntry {
  /** What happened: `admin-change`, `auth-failed`, `forbidden`, `registration-submitted`, ... */
  event: string;
  outcome: AuditOutcome;
  /** X-Road fault type when the outcome is not `ok`. */
  errorType?: string;
  /** Who acted: an API token's name, a security server id, `cli`. */
  actor?: string;
  messageId?: string;
  client?: string;
  service?: string;
  securityServer?: string;
  /** Structured facts for the auditor: ids and names, never payloads or secrets. */
  detail?: Record<string, unknown>;
}

/**
 * The gateway's audit log, append-only: nothing in the code updates or deletes
 * a record. Appends are awaited, so a caller that goes on knows its record is
 * stored; pass a transaction's executor to make the record part of the change
 * it describes.
 */
export class AuditTrail {
  constructor(
    private readonly db: SqlExecutor,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** Appends one record, through `tx` when given so it commits or rolls back with the change. */
  async record(entry: AuditEntry, tx: SqlExecutor = this.db): Promise<void> {
    await tx.query(
      `INSERT INTO audit_log (at, event, outcome, error_type, actor, message_id, client, service, security_server, detail)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        this.clock(),
        entry.event,
        entry.outcome,
        entry.errorType ?? null,
        entry.actor ?? null,
        entry.messageId ?? null,
        entry.client ?? null,
        entry.service ?? null,
        entry.securityServer ?? null,
        entry.detail ?? {},
      ],
    );
  }
}
