import { en, mn } from '../../../console/src/lib/messages';
import {
  DEFAULT_ZONE,
  formatDateTime,
  parseLang,
  parseZone,
  translate,
  zonedInputToIso,
} from '../../../console/src/lib/i18n';

describe("the console's languages", () => {
  it('has an English text for every Mongolian one, and no other', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(mn).sort());
  });

  it('writes the Mongolian catalogue in Cyrillic', () => {
    const latinOnly = Object.entries(mn).filter(
      ([key, text]) => !/[\u0400-\u04FF]/.test(text) && !['app.name', 'lang.en', 'signedInAs'].includes(key),
    );
    // Only names and placeholders may be without Cyrillic: the brand, a language's own name, formats.
    expect(
      latinOnly.map(([key]) => key).filter((key) => !/^(role|lang)\./.test(key) && key !== 'signIn.token'),
    ).toEqual([]);
  });

  it('fills placeholders and leaves unknown ones as they are', () => {
    expect(translate('en', 'common.count', { count: 3 })).toBe('3 rows');
    expect(translate('mn', 'common.count', { count: 3 })).toBe('3 мөр');
    expect(translate('en', 'signedInAs', { name: 'Bat' })).toBe('Bat ({role})');
  });

  it('speaks Mongolian unless English is asked for', () => {
    expect(parseLang('en')).toBe('en');
    expect(parseLang(null)).toBe('mn');
    expect(parseLang('fr')).toBe('mn');
  });
});

describe("dates in the user's zone", () => {
  const instant = '2025-09-01T12:00:00.000Z';

  it('shows a time in Ulaanbaatar by default, eight hours ahead of UTC', () => {
    expect(DEFAULT_ZONE).toBe('Asia/Ulaanbaatar');
    expect(formatDateTime(instant, 'en', DEFAULT_ZONE)).toMatch(/20:00:00 GMT\+8/);
    expect(formatDateTime(instant, 'en', 'UTC')).toMatch(/12:00:00/);
  });

  it('keeps a value it cannot read as it is', () => {
    expect(formatDateTime('not a date', 'en', 'UTC')).toBe('not a date');
  });

  it('falls back to the default zone for one the runtime does not know', () => {
    expect(parseZone('Mars/Olympus')).toBe(DEFAULT_ZONE);
    expect(parseZone('Europe/Tallinn')).toBe('Europe/Tallinn');
    expect(parseZone('')).toBe(DEFAULT_ZONE);
  });

  it("reads a time typed in a zone's wall clock as the instant it names", () => {
    expect(zonedInputToIso('2025-09-01T20:00', 'Asia/Ulaanbaatar')).toBe(instant);
    expect(zonedInputToIso('2025-09-01T12:00', 'UTC')).toBe(instant);
    // Tallinn in summer is UTC+3.
    expect(zonedInputToIso('2025-07-01T15:30', 'Europe/Tallinn')).toBe('2025-07-01T12:30:00.000Z');
    expect(zonedInputToIso('', 'UTC')).toBeUndefined();
    expect(zonedInputToIso('yesterday', 'UTC')).toBeUndefined();
  });
});
