/** {@link CachedValue}: what keeps a scrape cheap. A fixed clock; no servers. */
import { CachedValue } from '../../../gateway/src/observability';

describe('CachedValue', () => {
  let now = 0;
  let loads = 0;
  let next: () => Promise<number>;
  const cached = () =>
    new CachedValue({
      load: () => {
        loads += 1;
        return next();
      },
      what: 'a number',
      ttlMs: 1000,
      timeoutMs: 50,
      now: () => now,
    });

  beforeEach(() => {
    now = 0;
    loads = 0;
    next = () => Promise.resolve(loads);
  });

  it('reads once per ttl, and again after it', async () => {
    const value = cached();
    expect(await value.get()).toBe(1);
    now = 999;
    expect(await value.get()).toBe(1);
    now = 1000;
    expect(await value.get()).toBe(2);
    expect(loads).toBe(2);
  });

  it('shares one read between concurrent callers', async () => {
    const value = cached();
    const results = await Promise.all([value.get(), value.get(), value.get()]);
    expect(results).toEqual([1, 1, 1]);
    expect(loads).toBe(1);
  });

  it('keeps no failure: the next call reads again', async () => {
    const value = cached();
    next = () => Promise.reject(new Error('Redis away'));
    await expect(value.get()).rejects.toThrow('Redis away');
    next = () => Promise.resolve(42);
    expect(await value.get()).toBe(42);
  });

  it('gives up on a read slower than the timeout', async () => {
    const value = cached();
    next = () => new Promise<number>(() => undefined);
    await expect(value.get()).rejects.toThrow('a number took longer than 50 ms');
  });
});
