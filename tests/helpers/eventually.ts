/** Waiting in tests for what happens off the caller's path (an outcome record, a state no event announces). */

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Options of {@link eventually}. */
export interface EventuallyOptions {
  /** @defaultValue 5000 */
  readonly timeoutMs?: number;
  /** @defaultValue 25 */
  readonly intervalMs?: number;
}

/**
 * Probes until `probe` gives a value other than undefined and returns it;
 * throws, naming `what`, after `timeoutMs`.
 */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  options: EventuallyOptions = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 5000);
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await sleep(options.intervalMs ?? 25);
  }
}
