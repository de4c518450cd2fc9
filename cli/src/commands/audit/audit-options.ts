import { InvalidArgumentError, Option, type Command } from 'commander';
import type { Query } from '../../admin-client';
import { nonEmpty } from '../../options';
import type { VerificationProblem } from './audit-types';

/** A time with its zone (`2025-03-01T08:00:00Z`, `…+08:00`) or a date (`2025-03-01`, its midnight UTC). */
const TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2}))?$/i;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** `--from` / `--to` of the log: an ISO 8601 time with its zone, or a date; sent as an ISO time in UTC. */
export function auditTime(value: string): string {
  const time = TIME.test(value) ? new Date(value) : undefined;
  if (time === undefined || Number.isNaN(time.getTime())) {
    throw new InvalidArgumentError(
      `expected a date (2025-03-01) or a time with its zone (2025-03-01T08:00:00Z), got ${JSON.stringify(value)}`,
    );
  }
  return time.toISOString();
}

/** A calendar date `YYYY-MM-DD` (the data tracker's periods). */
export function calendarDate(value: string): string {
  if (!DATE.test(value) || Number.isNaN(new Date(value).getTime())) {
    throw new InvalidArgumentError(`expected a date like 2025-03-01, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** The search filters as the options give them. */
export interface AuditFilterOptions {
  messageId?: string;
  client?: string;
  service?: string;
  userId?: string;
  server?: string;
  event?: string;
  outcome?: string;
  from?: string;
  to?: string;
  subject?: string;
}

/** Adds the search filters of `/v1/audit/records` (and of an export) to `command`. */
export function withFilters(command: Command): Command {
  return command
    .option('--message-id <id>', 'records of this message id', nonEmpty)
    .option('--client <id>', 'records of this client (INSTANCE/CLASS/CODE[/SUBSYSTEM])', nonEmpty)
    .option('--service <id>', 'records of this service (INSTANCE/CLASS/CODE/SUBSYSTEM/SERVICE)', nonEmpty)
    .option('--user-id <id>', "records of this end user (the client's X-Road-UserId)", nonEmpty)
    .option('--server <id>', 'records of this security server (INSTANCE/CLASS/CODE/SERVER)', nonEmpty)
    .option('--event <event>', 'records of this event: accepted, delivered, admin-change, …', nonEmpty)
    .addOption(
      new Option('--outcome <outcome>', 'records with this outcome').choices(['ok', 'refused', 'failed']),
    )
    .option('--from <time>', 'records at or after this time (a date means its midnight UTC)', auditTime)
    .option('--to <time>', 'records before this time (a date means its midnight UTC)', auditTime)
    .option(
      '--subject <identifier>',
      'records about this data subject, given in clear (the gateway hashes it; it stores only the hash)',
      nonEmpty,
    );
}

/** The filters as the API's query: `securityServer` for `--server`, the rest by their names. */
export function filterQuery(options: AuditFilterOptions): Query {
  return {
    messageId: options.messageId,
    client: options.client,
    service: options.service,
    userId: options.userId,
    securityServer: options.server,
    event: options.event,
    outcome: options.outcome,
    from: options.from,
    to: options.to,
    subject: options.subject,
  };
}

/** Where verification failed: `hash-mismatch at seq 12 (writer …, chain seq 3): …`. */
export function describeProblem(problem: VerificationProblem): string {
  const where: string[] = [];
  if (problem.seq !== undefined) where.push(`seq ${problem.seq}`);
  if (problem.checkpointId !== undefined) where.push(`checkpoint ${problem.checkpointId}`);
  if (problem.leafIndex !== undefined) where.push(`leaf ${problem.leafIndex}`);
  if (problem.size !== undefined) where.push(`tree size ${problem.size}`);
  if (problem.between !== undefined) where.push(`leaves ${problem.between[0]}..${problem.between[1] - 1}`);
  const of: string[] = [];
  if (problem.writer !== undefined) of.push(`writer ${problem.writer}`);
  if (problem.chainSeq !== undefined) of.push(`chain seq ${problem.chainSeq}`);
  return (
    `${problem.kind}${where.length > 0 ? ` at ${where.join(', ')}` : ''}` +
    `${of.length > 0 ? ` (${of.join(', ')})` : ''}: ${problem.message}`
  );
}

/** `n thing` or `n things` (or the plural given). */
export function count(n: number, noun: string, plural = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : plural}`;
}
