import { OrtooError } from '../errors';

/**
 * Checks that a message was signed within `windowMs` of `now`, either way (a
 * sender's clock may run a little ahead). Together with the replay guard's
 * memory of message ids, which must outlast the window, this stops a captured
 * message from being played again.
 *
 * @throws OrtooError `StaleMessage` with the age in `detail`.
 */
export function checkFreshness(issuedAt: string, now: Date, windowMs: number): void {
  const ageMs = now.getTime() - Date.parse(issuedAt);
  if (Number.isNaN(ageMs) || Math.abs(ageMs) > windowMs) {
    throw new OrtooError(
      'StaleMessage',
      ageMs < 0 ? 'Message is dated in the future' : 'Message is too old',
      { detail: { issuedAt, now: now.toISOString(), windowMs } },
    );
  }
}
