/** Small helpers for the tour's words. */

/** `1 chain`, `2 chains`. */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
