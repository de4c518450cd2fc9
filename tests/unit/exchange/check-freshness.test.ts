import { checkFreshness } from '../../../core/src/exchange';
import { ortooErrorOf } from '../../helpers/exchange-fixtures';

describe('checkFreshness', () => {
  const now = new Date('2025-09-01T12:00:00.000Z');
  const windowMs = 5 * 60 * 1000;
  const at = (offsetMs: number) => new Date(now.getTime() + offsetMs).toISOString();

  it('accepts a message signed just now', () => {
    expect(() => checkFreshness(now.toISOString(), now, windowMs)).not.toThrow();
  });

  it('accepts a message signed within the window, in the past or a little in the future', () => {
    for (const offset of [-1, -60_000, -(windowMs - 1), 1, 60_000, windowMs - 1]) {
      expect(() => checkFreshness(at(offset), now, windowMs)).not.toThrow();
    }
  });

  it('accepts a message exactly at either edge of the window', () => {
    expect(() => checkFreshness(at(-windowMs), now, windowMs)).not.toThrow();
    expect(() => checkFreshness(at(windowMs), now, windowMs)).not.toThrow();
  });

  it('refuses a message one millisecond too old, saying so', () => {
    const error = ortooErrorOf(() => checkFreshness(at(-windowMs - 1), now, windowMs));
    expect(error).toMatchObject({
      code: 'StaleMessage',
      type: 'Client.StaleMessage',
      message: 'Message is too old',
      detail: { issuedAt: '2025-09-01T11:54:59.999Z', now: '2025-09-01T12:00:00.000Z', windowMs },
    });
  });

  it('refuses a message dated one millisecond beyond the window in the future, saying so', () => {
    const error = ortooErrorOf(() => checkFreshness(at(windowMs + 1), now, windowMs));
    expect(error).toMatchObject({
      code: 'StaleMessage',
      message: 'Message is dated in the future',
      detail: { issuedAt: '2025-09-01T12:05:00.001Z' },
    });
  });

  it('refuses messages far off either way', () => {
    expect(ortooErrorOf(() => checkFreshness('2024-09-01T12:00:00.000Z', now, windowMs)).code).toBe(
      'StaleMessage',
    );
    expect(ortooErrorOf(() => checkFreshness('2026-09-01T12:00:00.000Z', now, windowMs)).code).toBe(
      'StaleMessage',
    );
  });

  it('refuses a date it cannot read', () => {
    expect(ortooErrorOf(() => checkFreshness('yesterday', now, windowMs)).code).toBe('StaleMessage');
    expect(ortooErrorOf(() => checkFreshness('', now, windowMs)).code).toBe('StaleMessage');
  });

  it('with a window of zero, accepts only the very millisecond', () => {
    expect(() => checkFreshness(now.toISOString(), now, 0)).not.toThrow();
    expect(ortooErrorOf(() => checkFreshness(at(-1), now, 0)).code).toBe('StaleMessage');
    expect(ortooErrorOf(() => checkFreshness(at(1), now, 0)).code).toBe('StaleMessage');
  });
});
