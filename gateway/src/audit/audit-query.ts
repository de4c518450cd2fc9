import { OrtooError } from '../../../core/src';

/** What an auditor searches the log by: every filter given must match. */
export interface AuditFilters {
  messageId?: string;
  client?: string;
  service?: string;
  userId?: string;
  securityServer?: string;
  event?: string;
  outcome?: string;
  /** Records at or after this time. */
  from?: Date;
  /** Records before this time. */
  to?: Date;
  /** The data subject's identifier, in clear, as the auditor gives it: hashed before any query. */
  subject?: string;
}

/** The text filters and their names in the API. */
const TEXT_FILTERS = [
  'messageId',
  'client',
  'service',
  'userId',
  'securityServer',
  'event',
  'outcome',
  'subject',
] as const;

/** Every filter name the API knows. */
export const AUDIT_FILTER_NAMES: readonly string[] = [...TEXT_FILTERS, 'from', 'to'];

const OUTCOMES = ['ok', 'refused', 'failed'];

/** An ISO 8601 time with its zone, or a date (its midnight UTC). */
const TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2}))?$/i;

/** The times a search may name: what both SQL engines store (`timestamptz` has no year 0, and JSON none past 9999). */
const EARLIEST = Date.parse('0001-01-01T00:00:00Z');
const LATEST = Date.parse('9999-12-31T23:59:59.999Z');

/**
 * Returns `time` when the store can compare with it (UTC years 1 to 9999).
 *
 * @throws OrtooError `BadRequest` naming the parameter otherwise, so the
 *   database never sees it (it would fail the query: a 503 for the caller's input).
 */
export function searchableTime(name: string, time: Date): Date {
  const at = time.getTime();
  if (!(at >= EARLIEST && at <= LATEST)) {
    throw new OrtooError('BadRequest', `${name} must lie between the years 0001 and 9999 (UTC)`, {
      detail: { parameter: name },
    });
  }
  return time;
}

/**
 * A time parameter.
 *
 * @throws OrtooError `BadRequest` when it is not an ISO 8601 time with its
 *   zone or a date, or lies outside the years 0001–9999.
 */
export function parseAuditTime(name: string, value: unknown): Date {
  const time = typeof value === 'string' && TIME.test(value) ? new Date(value) : undefined;
  if (time === undefined || Number.isNaN(time.getTime())) {
    throw new OrtooError(
      'BadRequest',
      `${name} must be a date (2025-03-01) or a time with its zone (2025-03-01T08:00:00Z)`,
      { detail: { parameter: name } },
    );
  }
  return searchableTime(name, time);
}

/**
 * The filters of a search, from a query string or an export's `query` object.
 *
 * @throws OrtooError `BadRequest` for an unknown outcome, a bad time, or a repeated or empty parameter.
 */
export function parseAuditFilters(input: Record<string, unknown>): AuditFilters {
  const filters: AuditFilters = {};
  for (const name of TEXT_FILTERS) {
    const value = input[name];
    if (value === undefined) continue;
    if (typeof value !== 'string' || value.length === 0 || value.length > 1000) {
      throw new OrtooError('BadRequest', `${name} must be given once, as a non-empty text`, {
        detail: { parameter: name },
      });
    }
    filters[name] = value;
  }
  if (filters.outcome !== undefined && !OUTCOMES.includes(filters.outcome)) {
    throw new OrtooError('BadRequest', `outcome must be one of ${OUTCOMES.join(', ')}`, {
      detail: { parameter: 'outcome' },
    });
  }
  if (input.from !== undefined) filters.from = parseAuditTime('from', input.from);
  if (input.to !== undefined) filters.to = parseAuditTime('to', input.to);
  return filters;
}

/**
 * The filters as an auditor-query record's detail: times as ISO text, and the
 * data subject left out (the record carries its hash in `subject_hash`).
 */
export function describeFilters(filters: AuditFilters): Record<string, string> {
  const { subject: _subject, from, to, ...text } = filters;
  return {
    ...text,
    ...(from === undefined ? {} : { from: from.toISOString() }),
    ...(to === undefined ? {} : { to: to.toISOString() }),
  };
}
