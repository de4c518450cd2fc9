import { zonedInputToIso } from './i18n';

/** The audit search's filters, as the form and the page's URL hold them. */
export const AUDIT_FIELDS = [
  'messageId',
  'client',
  'service',
  'userId',
  'subject',
  'event',
  'from',
  'to',
] as const;
export type AuditField = (typeof AUDIT_FIELDS)[number];

/**
 * The API query of a search form: empty fields left out, `from` and `to`
 * (wall-clock times in the user's zone) turned into instants.
 */
export function auditQueryOf(
  form: Partial<Record<AuditField, string>>,
  zone: string,
): Record<string, string> {
  const query: Record<string, string> = {};
  for (const field of AUDIT_FIELDS) {
    const value = form[field]?.trim() ?? '';
    if (value === '') continue;
    if (field === 'from' || field === 'to') {
      const iso = zonedInputToIso(value, zone);
      if (iso !== undefined) query[field] = iso;
    } else {
      query[field] = value;
    }
  }
  return query;
}

/** The file name an export answer proposes in its Content-Disposition, or a default. */
export function downloadNameOf(disposition: string | null, fallback: string): string {
  const match = /filename="([^"]+)"/.exec(disposition ?? '');
  return match?.[1] ?? fallback;
}
