/**
 * What the observability tests share: promtool (from Debian's `prometheus`
 * package, which `.ci/run` installs), a real gateway started as `main.ts`
 * starts it (PGlite in a temporary folder, real Redis), a private Redis to
 * take away, and a reader of the Prometheus text format.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { randomUUID } from 'node:crypto';
import { createLogger } from '../../../core/src';
import { loadGatewayConfig } from '../../../gateway/src/config';
import { startGatewayServer, type RunningGateway } from '../../../gateway/src/main';
import { removeRedisKeys, TEST_REDIS_URL } from '../../helpers/exchange-network';
import { freePort } from '../../helpers/processes';

/** The root of the repository. */
export const REPO_ROOT = path.resolve(__dirname, '../../..');

/**
 * Runs `promtool` with `args` (and `input` on stdin). promtool is not
 * optional: without it the test fails, naming the package, so a CI machine
 * that lacks it never passes these checks silently.
 */
export function promtool(args: readonly string[], input?: string): { status: number; output: string } {
  const result = spawnSync('promtool', args, { input, encoding: 'utf8', cwd: REPO_ROOT, timeout: 30_000 });
  if (result.error !== undefined) {
    const missing = (result.error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new Error(
      missing
        ? 'promtool is not installed: `apt-get install prometheus` (Debian), as .ci/run does'
        : `promtool failed to run: ${result.error.message}`,
    );
  }
  return { status: result.status ?? -1, output: `${result.stdout}${result.stderr}`.trim() };
}

/** One sample of the Prometheus text format. */
export interface Sample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** The samples of a scrape. */
export function parseSamples(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const match = SAMPLE.exec(line);
    if (line.startsWith('#') || match === null) continue;
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(LABEL)) labels[key as string] = value as string;
    samples.push({ name: match[1] as string, labels, value: Number(match[3]) });
  }
  return samples;
}

/** The samples named `name` whose labels include `labels`. */
export function samplesOf(text: string, name: string, labels: Record<string, string> = {}): Sample[] {
  return parseSamples(text).filter(
    (sample) =>
      sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
  );
}

/**
 * Every series name a scrape can hold, from its `# TYPE` lines: a metric with
 * no sample yet (a labelled counter never counted) is listed too; a histogram
 * gives its `_bucket`, `_sum` and `_count` series.
 */
export function seriesNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    if (type === 'histogram' || type === 'summary') {
      for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${name}${suffix}`);
    } else {
      names.add(name as string);
    }
  }
  return names;
}

/** A gateway process's parts, started by {@link startRealGateway}. */
export interface RealGateway {
  readonly gateway: RunningGateway;
  /** Base URL of its admin listener. */
  readonly url: string;
  /** GET on the admin listener. */
  get(path: string): Promise<{ status: number; text: string; json(): unknown }>;
  /** Stops it and removes its folder and Redis keys. */
  close(): Promise<void>;
}

/**
 * Starts a gateway as `main.ts` does (admin API, exchange listener, delivery
 * workers), on PGlite in a temporary folder and Redis at `redisUrl`, on free
 * ports, logging nothing.
 */
export async function startRealGateway(redisUrl: string = TEST_REDIS_URL): Promise<RealGateway> {
  const dir = mkdtempSync(path.join(tmpdir(), 'ortoo-observability-'));
  const queuePrefix = `ortoo-test-${randomUUID()}`;
  const config = loadGatewayConfig({
    env: {
      ORTOO_INSTANCE: 'MN',
      ORTOO_GATEWAY_PORT: '0',
      ORTOO_EXCHANGE_PORT: '0',
      ORTOO_GATEWAY_DATA_DIR: path.join(dir, 'db'),
      ORTOO_CERTS_DIR: path.join(dir, 'certs'),
      ORTOO_QUEUE_PREFIX: queuePrefix,
      REDIS_URL: redisUrl,
    },
  });
  const logger = createLogger({ service: 'gateway-test', level: 'error', stream: new PassThrough() });
  let gateway: RunningGateway;
  try {
    gateway = await startGatewayServer(config, logger);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const url = gateway.url as string;
  return {
    gateway,
    url,
    async get(route) {
      const res = await fetch(`${url}${route}`);
      const text = await res.text();
      return { status: res.status, text, json: () => JSON.parse(text) as unknown };
    },
    async close() {
      try {
        await gateway.close();
      } finally {
        rmSync(dir, { recursive: true, force: true });
        await removeRedisKeys(queuePrefix).catch(() => undefined);
      }
    },
  };
}

/** A `redis-server` of a test's own, on a free port, without persistence: one to take away. */
export class PrivateRedis {
  #child: ChildProcess | undefined;

  private constructor(readonly port: number) {}

  /** Starts one on a free port. */
  static async start(): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await freePort());
    await redis.start();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts it (again) on its port; resolves once it answers. */
  async start(): Promise<void> {
    const child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.#child = child;
    await new Promise<void>((resolve, reject) => {
      let seen = '';
      const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${seen}`)), 10_000);
      child.stdout?.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        if (seen.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(new Error(`redis-server did not start (is it installed?): ${error.message}`));
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited with ${code}: ${seen}`));
      });
    });
  }

  /** Stops it; resolves once it has exited. */
  async stop(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (child === undefined || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  }
}

/** Probes until `probe` gives a value other than undefined; throws after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
