import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { createHash } from 'node:crypto';
import { OrtooError } from '../../../core/src/errors';
import {
  GlobalConfClient,
  signGlobalConf,
  type GlobalConf,
  type GlobalConfFetcher,
  type GlobalConfResponse,
} from '../../../core/src/global-conf';
import { createLogger } from '../../../core/src/observability';
import { CONF_NOW, createConfSigning, sampleGlobalConf } from '../../helpers/global-conf-fixtures';

/** A stand-in gateway: serves one body with a strong ETag, or fails. */
class FakeGateway {
  body: string | undefined;
  failure: Error | undefined;
  /** The `Date` its answers carry, if any. */
  date: Date | undefined;
  readonly requests: Record<string, string>[] = [];

  readonly fetch: GlobalConfFetcher = async (_url, init) => {
    this.requests.push(init.headers);
    if (this.failure) throw this.failure;
    const body = this.body ?? '';
    const etag = `"${createHash('sha256').update(body).digest('base64url')}"`;
    const status = this.body === undefined ? 503 : init.headers['if-none-match'] === etag ? 304 : 200;
    const response: GlobalConfResponse = {
      status,
      headers: {
        get: (name) => {
          const header = name.toLowerCase();
          if (header === 'date') return this.date?.toUTCString() ?? null;
          return header === 'etag' ? etag : null;
        },
      },
      text: async () => (status === 200 ? body : ''),
    };
    return response;
  };
}

describe('GlobalConfClient', () => {
  const signing = createConfSigning();
  const signed = (overrides: Partial<GlobalConf> = {}) =>
    JSON.stringify(signGlobalConf(sampleGlobalConf(signing, overrides), signing.signer));
  let dir: string;
  let now: Date;
  let gateway: FakeGateway;
  let logs: string[];
  const clients: GlobalConfClient[] = [];

  const client = (options: { maxClockSkewMs?: number } = {}) => {
    const stream = new PassThrough();
    stream.on('data', (line: Buffer) => logs.push(line.toString()));
    const made = new GlobalConfClient({
      url: 'http://gateway.invalid/v1/global-conf',
      anchor: signing.anchor,
      cacheFile: path.join(dir, 'conf', 'global-conf.json'),
      fetch: gateway.fetch,
      clock: () => now,
      logger: createLogger({ service: 'test', level: 'info', stream }),
      ...options,
    });
    clients.push(made);
    return made;
  };
  const errorOf = (run: () => unknown): OrtooError | undefined => {
    try {
      run();
      return undefined;
    } catch (error) {
      return error as OrtooError;
    }
  };

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'ortoo-conf-client-'));
    now = CONF_NOW;
    gateway = new FakeGateway();
    logs = [];
  });
  afterEach(() => {
    for (const made of clients.splice(0)) made.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('has no configuration before one is loaded', () => {
    expect(errorOf(() => client().current())?.code).toBe('ConfigurationExpired');
  });

  it('fetches, verifies and serves the configuration, and asks with the ETag next time', async () => {
    gateway.body = signed();
    const conf = client();
    await conf.start();
    expect(conf.current().version).toBe(7);
    expect(gateway.requests[0]).not.toHaveProperty('if-none-match');
    expect(await conf.refresh()).toBe('not-modified');
    expect(gateway.requests[1]?.['if-none-match']).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
    gateway.body = signed({ version: 8, generatedAt: '2025-09-01T12:00:30.000Z' });
    expect(await conf.refresh()).toBe('updated');
    expect(conf.current().version).toBe(8);
  });

  it('writes the cache atomically with mode 0600', async () => {
    gateway.body = signed();
    await client().start();
    const file = path.join(dir, 'conf', 'global-conf.json');
    expect(readFileSync(file, 'utf8')).toBe(gateway.body);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(path.join(dir, 'conf'))).toEqual(['global-conf.json']); // no temporary left
  });

  it('keeps the last good copy when the gateway fails or sends something bad, and logs it', async () => {
    gateway.body = signed();
    const conf = client();
    await conf.start();
    gateway.failure = new TypeError('fetch failed');
    expect(await conf.refresh()).toBe('failed');
    gateway.failure = undefined;
    const wire = JSON.parse(signed({ version: 9 })) as { signature: string };
    // Always a different first character: replacing it with a fixed one would leave 1 signature in 64 intact.
    const first = wire.signature.startsWith('A') ? 'B' : 'A';
    gateway.body = JSON.stringify({ ...wire, signature: `${first}${wire.signature.slice(1)}` });
    expect(await conf.refresh()).toBe('failed');
    gateway.body = undefined; // 503
    expect(await conf.refresh()).toBe('failed');
    expect(conf.current().version).toBe(7);
    expect(logs.join('')).toContain('fetch failed');
    expect(logs.join('')).toContain('Client.InvalidSignature');
  });

  it('refuses a document older than the copy held, so an old one cannot be replayed', async () => {
    gateway.body = signed({ version: 8, generatedAt: '2025-09-01T12:00:30.000Z' });
    const conf = client();
    await conf.start();
    gateway.body = signed({ version: 7 });
    expect(await conf.refresh()).toBe('failed');
    expect(conf.current().version).toBe(8);
  });

  it('refuses to serve the copy once it has expired, by more than the clock skew tolerated', async () => {
    gateway.body = signed();
    const conf = client({ maxClockSkewMs: 60_000 });
    await conf.start();
    gateway.failure = new TypeError('fetch failed');
    now = new Date('2025-09-01T12:10:59.000Z');
    expect(conf.current().version).toBe(7);
    now = new Date('2025-09-01T12:11:00.000Z');
    expect(errorOf(() => conf.current())).toMatchObject({
      code: 'ConfigurationExpired',
      detail: { version: 7, expiresAt: '2025-09-01T12:10:00.000Z' },
    });
  });

  it('takes a document generated up to the tolerated skew in its future, and no further', async () => {
    now = new Date(CONF_NOW.getTime() - 5 * 60_000); // this server's clock is behind
    gateway.body = signed();
    expect(await client({ maxClockSkewMs: 120_000 }).refresh()).toBe('failed');
    const tolerant = client({ maxClockSkewMs: 10 * 60_000 });
    expect(await tolerant.refresh()).toBe('updated');
    expect(tolerant.current().version).toBe(7);
  });

  it('measures its clock against the gateway’s Date, to the second', async () => {
    gateway.body = signed();
    const conf = client();
    expect(conf.clockSkewMs).toBeUndefined();
    gateway.date = new Date(now.getTime() - 400_000);
    await conf.refresh();
    expect(conf.clockSkewMs).toBe(400_000);
    gateway.date = new Date(now.getTime() + 300);
    await conf.refresh();
    expect(conf.clockSkewMs).toBe(0);
  });

  it('starts from its cache while the gateway is away', async () => {
    gateway.body = signed();
    await client().start();
    gateway.failure = new TypeError('fetch failed');
    const second = client();
    await second.start();
    expect(second.current().version).toBe(7);
  });

  it('ignores a cache that was altered or has expired', async () => {
    const file = path.join(dir, 'global-conf.json');
    const wire = JSON.parse(signed()) as { payload: string };
    gateway.failure = new TypeError('fetch failed');
    const conf = (cacheContent: string) => {
      writeFileSync(file, cacheContent);
      return new GlobalConfClient({
        url: 'http://gateway.invalid/v1/global-conf',
        anchor: signing.anchor,
        cacheFile: file,
        fetch: gateway.fetch,
        clock: () => now,
        logger: createLogger({ service: 'test', level: 'error', stream: new PassThrough() }),
      });
    };
    const altered = conf(JSON.stringify({ ...wire, payload: `${wire.payload.slice(0, -2)}AA` }));
    await altered.start();
    altered.stop();
    expect(errorOf(() => altered.current())?.code).toBe('ConfigurationExpired');

    now = new Date('2025-09-01T13:00:00.000Z');
    const expired = conf(signed());
    await expired.start();
    expired.stop();
    expect(errorOf(() => expired.current())?.code).toBe('ConfigurationExpired');
  });

  it('refreshes on its interval', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    try {
      gateway.body = signed();
      const conf = client();
      await conf.start();
      const before = gateway.requests.length;
      jest.advanceTimersByTime(60_000);
      await conf.refresh(); // joins the refresh the timer began
      expect(gateway.requests.length).toBe(before + 1);
    } finally {
      jest.useRealTimers();
    }
  });
});
