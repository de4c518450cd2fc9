/** Counts per event, one number per time bucket. */
export type TrafficSeries = Record<string, number[]>;

/** One event's part of a bar: from `bottom` to `top` on the count axis. */
export interface StackSegment {
  event: string;
  bottom: number;
  top: number;
}

/**
 * Stacks the series bucket by bucket in `order` (empty segments left out),
 * and gives the scale's top: the tallest bar rounded up to a nice number
 * (1, 2 or 5 times a power of ten), at least 1 so an empty hour still draws.
 */
export function stackBuckets(
  series: TrafficSeries,
  order: readonly string[],
): { stacks: StackSegment[][]; max: number } {
  const buckets = Math.max(0, ...order.map((event) => series[event]?.length ?? 0));
  const stacks: StackSegment[][] = [];
  let tallest = 0;
  for (let index = 0; index < buckets; index += 1) {
    let bottom = 0;
    const stack: StackSegment[] = [];
    for (const event of order) {
      const count = series[event]?.[index] ?? 0;
      if (count <= 0) continue;
      stack.push({ event, bottom, top: bottom + count });
      bottom += count;
    }
    tallest = Math.max(tallest, bottom);
    stacks.push(stack);
  }
  return { stacks, max: niceCeiling(tallest) };
}

/** The smallest of 1, 2, 5, 10, 20, 50… at or above `value` (and at least 1). */
export function niceCeiling(value: number): number {
  if (value <= 1) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}
