import { en, mn, type MessageKey } from './messages';

/** The console's languages: Mongolian (Cyrillic) first, the default. */
export type Lang = 'mn' | 'en';

/** The zone dates are shown in unless the user picks another. */
export const DEFAULT_ZONE = 'Asia/Ulaanbaatar';

const CATALOGUES: Record<Lang, Record<MessageKey, string>> = { mn, en };

/** The BCP 47 locale of a language, for `Intl`. */
export const LOCALES: Record<Lang, string> = { mn: 'mn-MN', en: 'en-GB' };

/** The text of `key` in `lang`, with `{name}` placeholders filled from `params`. */
export function translate(lang: Lang, key: MessageKey, params: Record<string, string | number> = {}): string {
  return CATALOGUES[lang][key].replace(/\{(\w+)\}/g, (whole, name: string) =>
    params[name] === undefined ? whole : String(params[name]),
  );
}

/** Every field of a date and time, on a 24-hour clock. */
const DATE_TIME_FIELDS: Intl.DateTimeFormatOptions = {
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
};

/** A time as the user reads it: date and time in their zone, with the zone's offset. */
export function formatDateTime(value: string | Date, lang: Lang, zone: string): string {
  const date = typeof value === 'string' ? new Date(value) : value;
  if (Number.isNaN(date.getTime())) return String(value);
  return new Intl.DateTimeFormat(LOCALES[lang], {
    ...DATE_TIME_FIELDS,
    timeZone: zone,
    timeZoneName: 'shortOffset',
  }).format(date);
}

/** A number with the language's grouping. */
export function formatNumber(value: number, lang: Lang): string {
  return new Intl.NumberFormat(LOCALES[lang]).format(value);
}

/** A language from what was stored or asked for; Mongolian unless English is named. */
export function parseLang(value: string | null | undefined): Lang {
  return value === 'en' ? 'en' : 'mn';
}

/** A time zone the runtime knows, else the default. */
export function parseZone(value: string | null | undefined): string {
  if (value === null || value === undefined || value === '') return DEFAULT_ZONE;
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return value;
  } catch {
    return DEFAULT_ZONE;
  }
}

/**
 * A `datetime-local` input's value (a wall-clock time in `zone`) as an
 * instant, ISO 8601 in UTC; undefined for an empty input.
 */
export function zonedInputToIso(value: string, zone: string): string | undefined {
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2})(:\d{2})?$/.exec(value);
  if (match === null) return undefined;
  const asUtc = new Date(`${match[1]}${match[2] ?? ':00'}Z`);
  if (Number.isNaN(asUtc.getTime())) return undefined;
  // The zone's offset at that wall time: format the UTC reading in the zone and compare.
  const parts = new Intl.DateTimeFormat('en-US', { ...DATE_TIME_FIELDS, timeZone: zone }).formatToParts(
    asUtc,
  );
  const get = (type: string) => Number(parts.find((part) => part.type === type)?.value);
  const shown = Date.UTC(
    get('year'),
    get('month') - 1,
    get('day'),
    get('hour'),
    get('minute'),
    get('second'),
  );
  return new Date(asUtc.getTime() - (shown - asUtc.getTime())).toISOString();
}
