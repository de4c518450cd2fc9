/**
 * The whole-exchange benchmark (`scripts/bench/exchange.ts`, part of `npm
 * run bench`) run quick, as a smoke test: it starts its network of real
 * processes on PostgreSQL and on PGlite, measures every phase and writes a
 * row for each, with requests that succeeded. No figure is held to a speed
 * here; that is what `npm run bench` is for.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ExchangeRow, PhaseCheck } from '../../../scripts/bench/exchange';

const ROOT = path.resolve(__dirname, '../../..');
const STORES = ['postgres', 'pglite'] as const;
const PHASES = [
  ['sync', 1],
  ['sync', 16],
  ['sync', 64],
  ['async-accept', 64],
  ['async-delivered', 64],
] as const;
/** The suite bounds itself; this is only a backstop against a hung run. */
const RUN_LIMIT_MS = 280_000;

/** Runs the suite and resolves with its exit code and output; SIGINT (its own clean-up) if it overruns. */
function runSuite(args: readonly string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--require', 'tsx/cjs', path.join(ROOT, 'scripts/bench/exchange.ts'), ...args],
      { cwd: ROOT, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGINT'), RUN_LIMIT_MS);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('the whole-exchange benchmark, quick', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'ortoo-exchange-bench-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(
    'measures every phase on PostgreSQL and on PGlite, each row with positive figures, its requests answered',
    async () => {
      const out = path.join(dir, 'exchange.json');
      // One store after the other: both at once take half the time, but on a machine busy with
      // other work the first answers at 64 in flight can then take longer than the phases allow.
      const run = await runSuite(['--quick', '--out', out]);
      // On failure, the end of its output says what failed.
      expect([run.code, run.code === 0 ? '' : run.output.slice(-4000)]).toEqual([0, '']);

      const results = JSON.parse(readFileSync(out, 'utf8')) as {
        rows: ExchangeRow[];
        checks: PhaseCheck[];
        problems: string[];
      };
      expect(results.problems).toEqual([]);
      for (const store of STORES) {
        for (const [phase, concurrency] of PHASES) {
          const row = results.rows.find(
            (r) => r.store === store && r.phase === phase && r.concurrency === concurrency,
          );
          expect(row).toBeDefined();
          const { cpuMsPerExchange, ...figures } = row as ExchangeRow;
          for (const name of [
            'exchangesPerSecond',
            'p50Ms',
            'p90Ms',
            'p99Ms',
            'directPerSecond',
            'directP50Ms',
            'ratioToDirect',
          ] as const) {
            expect([name, Number.isFinite(figures[name]) && figures[name] > 0]).toEqual([name, true]);
          }
          expect(Number.isFinite(figures.addedP50Ms)).toBe(true);
          // Every process of the network is measured (CPU ticks are 10 ms, so a light one may show 0).
          const processes = ['gateway', 'consumer-ss', 'provider-ss', 'backend', 'redis', 'load-generator'];
          if (store === 'postgres') processes.push('postgres');
          for (const name of processes) expect(cpuMsPerExchange[name]).toBeGreaterThanOrEqual(0);
          expect(cpuMsPerExchange.total).toBeGreaterThan(0);

          const check = results.checks.find(
            (c) => c.store === store && c.phase === phase && c.concurrency === concurrency,
          );
          expect(check).toMatchObject({ passed: true });
          expect(check?.ok).toBeGreaterThan(0);
        }
      }
    },
    RUN_LIMIT_MS + 20_000,
  );
});
