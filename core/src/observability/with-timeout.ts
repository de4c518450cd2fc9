/**
 * `promise`, or a rejection with `Error(`${what} took longer than ${ms} ms`)`
 * once `timeoutMs` has passed: so a scrape or a readiness probe never hangs on
 * a store that does not answer. The work itself is not cancelled.
 */
export async function withTimeout<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
