/** One part of a verification run: records at or after `from`, before `to`. */
export interface VerifySlice {
  from: string;
  to: string;
}

/**
 * Splits the time from `first` (the oldest record) to `now` into at most
 * `parts` consecutive slices of whole seconds, so a long log is verified in
 * steps the page can show progress for. Slices cover the span exactly once.
 */
export function verifySlices(first: Date, now: Date, parts: number): VerifySlice[] {
  const start = Math.floor(first.getTime() / 1000) * 1000;
  const end = Math.floor(now.getTime() / 1000) * 1000 + 1000;
  const count = Math.max(1, Math.min(parts, Math.ceil((end - start) / 1000)));
  const step = Math.ceil((end - start) / count / 1000) * 1000;
  const slices: VerifySlice[] = [];
  for (let from = start; from < end; from += step) {
    slices.push({
      from: new Date(from).toISOString(),
      to: new Date(Math.min(from + step, end)).toISOString(),
    });
  }
  return slices;
}
