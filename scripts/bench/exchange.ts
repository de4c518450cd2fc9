/**
 * `npx tsx scripts/bench/exchange.ts`: the whole exchange as an agency runs
 * it. Local system → consumer security server's client proxy → gateway →
 * provider security server → backend, and back, every part a real process
 * started through the `ortoo` CLI (see bench-network.ts), once on
 * PostgreSQL and once on PGlite, on the shared Redis under a random key
 * prefix. A load generator of its own process (autocannon, see
 * load-generator.ts) sends X-Road REST requests (`POST /r1/<service>` with
 * `X-Road-Client`, an API key, a fresh `X-Road-Id`, a JSON body) and, right
 * before each exchange phase, the same request to the backend directly.
 *
 * Phases, each `--duration` seconds: sync at 1, 16 and 64 requests in
 * flight; async (`Prefer: respond-async`) at 64: the 202s per second
 * (`async-accept`), then from the first request until the backend has
 * received every accepted message (`async-delivered`, whose percentiles are
 * of each message's time from sending to its arrival at the backend).
 * For each it reports exchanges/s, p50/p90/p99, the same for the direct
 * call, their ratio, the added p50, and the CPU ms per exchange of every
 * process (from /proc: gateway, workers, both security servers, backend,
 * Redis, the PostgreSQL backends serving the network's connections; the
 * load generator beside, not in
 * the total). Writes `bench/results/exchange.json`, and fails when more than
 * 1 % of the requests of a phase failed.
 *
 * Options: `--quick` (2 s per phase, for the smoke test), `--store
 * postgres|pglite` (default both), `--duration <s>`, `--workers <n>`
 * (separate `ortoo gateway worker` processes, PostgreSQL only; default 0,
 * the workers inside the gateway), `--stores-in-parallel` (both networks at
 * once, for the smoke test), `--profile <dir>` (every node process
 * writes a CPU profile into `<dir>/<store>/<process>`; read them with
 * profile-summary.ts), `--log-level`, `--out <file>`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Table from 'cli-table3';
import { Command, InvalidArgumentError, Option } from 'commander';
import { startNodeProcess, type NodeProcess } from '../network/ortoo-cli';
import { missingProfiles, startBenchNetwork, type BenchNetwork, type BenchStore } from './bench-network';
import { writeResults } from './bench-suite';
import type { LoadOptions, LoadReply, LoadRequest, LoadResult } from './load-generator';
import { quantile } from './load-generator';
import { cpuBetween, readCpu, type CpuReading, type ProcessGroups } from './process-cpu';
import type { BackendStats } from './record-backend';

/** Concurrencies of the sync phases. */
const SYNC_CONCURRENCY = [1, 16, 64] as const;
/** Requests in flight in the async phase. */
const ASYNC_CONCURRENCY = 64;
/** Largest share of a phase's requests that may fail before the run fails. */
const MAX_FAILED_SHARE = 0.01;
/** The load generator's CPU is shown under this name, outside the total. */
const LOAD_GENERATOR = 'load-generator';

/** What the suite was asked to do. */
interface SuiteOptions {
  readonly stores: readonly BenchStore[];
  readonly durationSeconds: number;
  readonly warmupSeconds: number;
  readonly workers: number;
  /** Both stores' networks at once: quicker, for a smoke test; the figures then measure each other. */
  readonly storesInParallel: boolean;
  readonly logLevel: string;
  readonly profileDir?: string;
  readonly out?: string;
}

/** One row of the results: a store and a phase. */
export interface ExchangeRow {
  store: BenchStore;
  phase: 'sync' | 'async-accept' | 'async-delivered';
  concurrency: number;
  exchangesPerSecond: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  directPerSecond: number;
  directP50Ms: number;
  ratioToDirect: number;
  addedP50Ms: number;
  cpuMsPerExchange: Record<string, number>;
}

/** How the requests of a row's phase went. */
export interface PhaseCheck {
  store: BenchStore;
  phase: ExchangeRow['phase'];
  concurrency: number;
  /** Answers with the expected status (200, or 202 accepted). */
  ok: number;
  /** Other answers, by status. */
  unexpected: Record<string, number>;
  /** Connection errors and timeouts. */
  errors: number;
  /** For async-delivered: accepted messages the backend never received in time. */
  undelivered?: number;
  failedShare: number;
  passed: boolean;
}

function parseOptions(argv: readonly string[]): SuiteOptions {
  const seconds = (value: string) => {
    const n = Number(value);
    if (!(n > 0 && n <= 600)) throw new InvalidArgumentError('must be 0 < seconds <= 600');
    return n;
  };
  const count = (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0 || n > 8) throw new InvalidArgumentError('must be an integer 0-8');
    return n;
  };
  const program = new Command('exchange')
    .option('--quick', 'a couple of seconds per phase: a smoke test')
    .addOption(new Option('--store <store>', 'only this store').choices(['postgres', 'pglite']))
    .option('--duration <seconds>', 'seconds per phase (default 10, 2 with --quick)', seconds)
    .option('--workers <n>', 'separate gateway worker processes (PostgreSQL only; default 0)', count, 0)
    .option('--profile <dir>', 'write a CPU profile of every node process into <dir>/<store>/<process>')
    .option(
      '--stores-in-parallel',
      "both stores' networks at once (a smoke test: the figures then mean little)",
    )
    .option('--log-level <level>', 'LOG_LEVEL of every process', 'info')
    .option('--out <file>', 'results file (default bench/results/exchange.json)')
    .parse(argv, { from: 'user' });
  const opts = program.opts<{
    quick?: boolean;
    store?: BenchStore;
    duration?: number;
    workers: number;
    storesInParallel?: boolean;
    profile?: string;
    logLevel: string;
    out?: string;
  }>();
  const durationSeconds = opts.duration ?? (opts.quick === true ? 2 : 10);
  return {
    stores: opts.store === undefined ? ['postgres', 'pglite'] : [opts.store],
    durationSeconds,
    warmupSeconds: opts.quick === true ? 1 : Math.min(3, durationSeconds),
    workers: opts.workers,
    storesInParallel: opts.storesInParallel === true,
    logLevel: opts.logLevel,
    ...(opts.profile === undefined ? {} : { profileDir: path.resolve(opts.profile) }),
    ...(opts.out === undefined ? {} : { out: opts.out }),
  };
}

/** The load generator process, driven over its IPC channel. */
interface LoadGenerator {
  readonly process: NodeProcess;
  run(options: LoadOptions): Promise<LoadResult>;
}

async function startLoadGenerator(network: BenchNetwork, logDir: string): Promise<LoadGenerator> {
  const running = await startNodeProcess({
    name: LOAD_GENERATOR,
    argv: ['--require', 'tsx/cjs', path.join(__dirname, 'load-generator.ts')],
    env: process.env,
    ready: /ready/,
    logFile: path.join(logDir, `${LOAD_GENERATOR}.log`),
    nodeFlags: network.nodeFlagsOf(LOAD_GENERATOR),
    ipc: true,
  });
  let next = 0;
  const pending = new Map<number, { resolve: (r: LoadResult) => void; reject: (e: Error) => void }>();
  running.child.on('message', (reply: LoadReply) => {
    const waiting = pending.get(reply.id);
    pending.delete(reply.id);
    // NaN (no answer to take a percentile of) crosses the channel as null.
    const ms = (value: number | null) => value ?? NaN;
    if ('result' in reply) {
      const { result } = reply;
      waiting?.resolve({
        ...result,
        p50Ms: ms(result.p50Ms),
        p90Ms: ms(result.p90Ms),
        p99Ms: ms(result.p99Ms),
      });
    } else waiting?.reject(new Error(`load generator: ${reply.error}`));
  });
  running.child.once('exit', () => {
    for (const waiting of pending.values()) waiting.reject(new Error('the load generator exited'));
  });
  return {
    process: running,
    run: (options) =>
      new Promise((resolve, reject) => {
        const id = (next += 1);
        pending.set(id, { resolve, reject });
        running.child.send({ id, options } satisfies LoadRequest);
      }),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What the backend received; with `countTag`, it forgets the async messages and counts that tag's from now. */
async function backendStats(network: BenchNetwork, countTag?: string): Promise<BackendStats> {
  const query = countTag === undefined ? '' : `?reset=${countTag}`;
  const res = await fetch(`${network.backendOrigin}/_bench/stats${query}`);
  return (await res.json()) as BackendStats;
}

/** Measures one store: starts its network, runs every phase, stops it. */
async function measureStore(
  store: BenchStore,
  options: SuiteOptions,
  onClose: (close: (() => Promise<void>) | undefined) => void,
): Promise<{ rows: ExchangeRow[]; checks: PhaseCheck[]; problems: string[] }> {
  const logDir = mkdtempSync(path.join(os.tmpdir(), `ortoo-bench-logs-${store}-`));
  const profileDir = options.profileDir === undefined ? undefined : path.join(options.profileDir, store);
  console.log(`\n${store}: starting the network (logs in ${logDir})`);
  const storeStarted = performance.now();
  const network = await startBenchNetwork({
    store,
    workers: options.workers,
    deliveryConcurrency: ASYNC_CONCURRENCY,
    logLevel: options.logLevel,
    logDir,
    ...(profileDir === undefined ? {} : { profileDir }),
    onCloseable: (closeStarted) => onClose(async () => void (await closeStarted())),
  });
  let loadGenerator: LoadGenerator | undefined;
  const problems: string[] = [];
  const checks: PhaseCheck[] = [];
  console.log(`${store}: network up in ${((performance.now() - storeStarted) / 1000).toFixed(1)} s`);
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    const names = [...network.processes.keys(), LOAD_GENERATOR];
    // The load generator first: the client goes before the servers it calls.
    const generatorExit = await loadGenerator?.process.stop();
    const exits = await network.close();
    if (generatorExit !== undefined) exits.set(LOAD_GENERATOR, generatorExit);
    for (const [name, exit] of exits) {
      if (exit.killed) problems.push(`${store}: ${name} did not stop on SIGTERM and was killed`);
      else if (exit.code !== 0 && exit.code !== null)
        problems.push(`${store}: ${name} exited with ${exit.code}`);
    }
    if (profileDir !== undefined) {
      for (const name of missingProfiles(profileDir, names))
        problems.push(`${store}: no CPU profile of ${name}`);
    }
  };
  onClose(close);
  try {
    const generator = await startLoadGenerator(network, logDir);
    loadGenerator = generator;
    const groups: ProcessGroups = new Map<string, () => readonly number[]>([
      ...[...network.processes].map(([name, running]): [string, () => number[]] => [
        name,
        () => [running.pid],
      ]),
      ['redis', () => [network.redisPid]],
      ...(store === 'postgres'
        ? [['postgres', () => network.postgresPids()] as [string, () => number[]]]
        : []),
      [LOAD_GENERATOR, () => [generator.process.pid]],
    ]);
    const body = JSON.stringify({ registerNumber: 'УБ99010112' });
    const headers = {
      'content-type': 'application/json',
      'x-road-client': network.clientId,
      authorization: `Bearer ${network.apiKey}`,
    };
    /**
     * The exchange phase: `durationSeconds`, doubled (up to twice) while fewer
     * than two answers per connection came back, as on a machine so busy that
     * a short phase ends before its first round of requests does.
     */
    let asyncAttempts = 0;
    const exchange = async (
      connections: number,
      durationSeconds: number,
      async = false,
      onStart: () => void = () => undefined,
    ) => {
      for (let seconds = durationSeconds; ; seconds *= 2) {
        // Each async attempt's messages are told apart from the late arrivals of any before.
        const asyncTag = async ? `t${(asyncAttempts += 1)}` : undefined;
        if (asyncTag !== undefined) await backendStats(network, asyncTag);
        onStart();
        const result = await generator.run({
          url: `${network.clientUrl}/r1/${network.serviceId}`,
          method: 'POST',
          headers: async ? { ...headers, prefer: 'respond-async' } : headers,
          body,
          connections,
          durationSeconds: seconds,
          expectStatus: async ? 202 : 200,
          ...(asyncTag === undefined ? {} : { asyncTag }),
        });
        if (result.ok >= 2 * connections || seconds >= durationSeconds * 4) return result;
        console.log(
          `${store}: only ${result.ok} answers in ${seconds} s at c=${connections}: measuring longer`,
        );
        // The attempt's backlog first, so that the next one measures only itself.
        if (async) await waitDelivered(result.ok, 60_000);
        await quiet();
      }
    };
    const direct = (connections: number) =>
      generator.run({
        url: network.backendUrl,
        method: 'POST',
        headers,
        body,
        connections,
        durationSeconds: options.durationSeconds,
        expectStatus: 200,
      });
    const cpuPerExchange = (before: CpuReading, after: CpuReading, exchanges: number) => {
      const used = cpuBetween(before, after);
      const perExchange: Record<string, number> = {};
      let total = 0;
      for (const [name, ms] of used) {
        const value = round(ms / Math.max(1, exchanges), 3);
        perExchange[name] = value;
        if (name !== LOAD_GENERATOR) total += ms;
      }
      perExchange.total = round(total / Math.max(1, exchanges), 3);
      return perExchange;
    };
    const waitDelivered = async (accepted: number, timeoutMs: number): Promise<BackendStats> => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const stats = await backendStats(network);
        if (stats.asyncDelivered >= accepted || Date.now() > deadline) return stats;
        await sleep(25);
      }
    };
    /** Waits until the backend has had no request for 300 ms (at most 10 s): the phase before is over. */
    const quiet = async () => {
      const deadline = Date.now() + 10_000;
      let hits = (await backendStats(network)).hits;
      while (Date.now() < deadline) {
        await sleep(300);
        const now = (await backendStats(network)).hits;
        if (now === hits) return;
        hits = now;
      }
    };

    console.log(`${store}: warming up (${options.warmupSeconds} s sync, 1 s async, 1 s direct)`);
    await exchange(16, options.warmupSeconds);
    const warmAsync = await exchange(16, 1, true);
    await waitDelivered(warmAsync.ok, 30_000);
    await direct(16);

    const rows: ExchangeRow[] = [];
    const check = (
      phase: ExchangeRow['phase'],
      concurrency: number,
      result: LoadResult,
      undelivered?: number,
    ): void => {
      const failed =
        Object.values(result.unexpected).reduce((a, b) => a + b, 0) + result.errors + (undelivered ?? 0);
      const failedShare = failed / Math.max(1, failed + result.ok);
      if (failed > 0) {
        console.log(
          `${store}: ${phase} c=${concurrency}: ${failed} failed (${JSON.stringify(result.unexpected)} by status, ` +
            `${result.errors} errors${undelivered === undefined ? '' : `, ${undelivered} undelivered`})`,
        );
      }
      checks.push({
        store,
        phase,
        concurrency,
        ok: result.ok,
        unexpected: result.unexpected,
        errors: result.errors,
        ...(undelivered === undefined ? {} : { undelivered }),
        failedShare: round(failedShare, 4),
        passed: result.ok > 0 && failedShare <= MAX_FAILED_SHARE,
      });
    };
    const row = (
      phase: ExchangeRow['phase'],
      concurrency: number,
      measured: { perSecond: number; p50Ms: number; p90Ms: number; p99Ms: number },
      baseline: LoadResult,
      cpuMsPerExchange: Record<string, number>,
    ): ExchangeRow => ({
      store,
      phase,
      concurrency,
      exchangesPerSecond: round(measured.perSecond, 1),
      p50Ms: round(measured.p50Ms, 3),
      p90Ms: round(measured.p90Ms, 3),
      p99Ms: round(measured.p99Ms, 3),
      directPerSecond: round(baseline.perSecond, 1),
      directP50Ms: round(baseline.p50Ms, 3),
      ratioToDirect: round(measured.perSecond / baseline.perSecond, 4),
      addedP50Ms: round(measured.p50Ms - baseline.p50Ms, 3),
      cpuMsPerExchange,
    });

    for (const concurrency of SYNC_CONCURRENCY) {
      const baseline = await direct(concurrency);
      await quiet();
      let before = readCpu(groups);
      const result = await exchange(concurrency, options.durationSeconds, false, () => {
        before = readCpu(groups);
      });
      const after = readCpu(groups);
      check('sync', concurrency, result);
      rows.push(row('sync', concurrency, result, baseline, cpuPerExchange(before, after, result.ok)));
      console.log(
        `${store}: sync c=${concurrency}: ${Math.round(result.perSecond)}/s, p50 ${result.p50Ms.toFixed(2)} ms`,
      );
      await quiet();
    }

    const baseline = await direct(ASYNC_CONCURRENCY);
    await quiet();
    let started = performance.now();
    let before = readCpu(groups);
    const accepted = await exchange(ASYNC_CONCURRENCY, options.durationSeconds, true, () => {
      started = performance.now();
      before = readCpu(groups);
    });
    const acceptedAt = readCpu(groups);
    const delivered = await waitDelivered(accepted.ok, Math.max(60_000, options.durationSeconds * 20_000));
    const deliveredAt = readCpu(groups);
    const seconds = (performance.now() - started) / 1000;
    check('async-accept', ASYNC_CONCURRENCY, accepted);
    rows.push(
      row(
        'async-accept',
        ASYNC_CONCURRENCY,
        accepted,
        baseline,
        cpuPerExchange(before, acceptedAt, accepted.ok),
      ),
    );
    const undelivered = Math.max(0, accepted.ok - delivered.asyncDelivered);
    check('async-delivered', ASYNC_CONCURRENCY, { ...accepted, ok: delivered.asyncDelivered }, undelivered);
    const deliveryMs = Float64Array.from(delivered.asyncDeliveryMs).sort();
    rows.push(
      row(
        'async-delivered',
        ASYNC_CONCURRENCY,
        {
          perSecond: delivered.asyncDelivered / seconds,
          p50Ms: quantile(deliveryMs, 0.5),
          p90Ms: quantile(deliveryMs, 0.9),
          p99Ms: quantile(deliveryMs, 0.99),
        },
        baseline,
        cpuPerExchange(before, deliveredAt, delivered.asyncDelivered),
      ),
    );
    console.log(
      `${store}: async: ${Math.round(accepted.perSecond)} accepted/s, ` +
        `${Math.round(delivered.asyncDelivered / seconds)} delivered/s`,
    );
    return { rows, checks, problems };
  } finally {
    await close();
    onClose(undefined);
    console.log(`${store}: done in ${((performance.now() - storeStarted) / 1000).toFixed(1)} s`);
    if (problems.length === 0 && checks.every((c) => c.passed))
      rmSync(logDir, { recursive: true, force: true });
    else console.error(`logs kept in ${logDir}`);
  }
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

function printTable(rows: readonly ExchangeRow[], checks: readonly PhaseCheck[]): void {
  const processes = [
    ...new Set(rows.flatMap((r) => Object.keys(r.cpuMsPerExchange)).filter((n) => n !== 'total')),
  ].sort((a, b) => Number(a === LOAD_GENERATOR) - Number(b === LOAD_GENERATOR));
  const table = new Table({
    head: [
      'store',
      'phase',
      'c',
      'ex/s',
      'p50 ms',
      'p90 ms',
      'p99 ms',
      'direct/s',
      'direct p50',
      'ratio',
      'added p50',
      'failed',
      'CPU ms/ex',
      ...processes.map((n) => (n === LOAD_GENERATOR ? '(loadgen)' : n)),
    ],
  });
  rows.forEach((r, i) => {
    const c = checks[i];
    table.push([
      r.store,
      r.phase,
      r.concurrency,
      Math.round(r.exchangesPerSecond),
      r.p50Ms.toFixed(2),
      r.p90Ms.toFixed(2),
      r.p99Ms.toFixed(2),
      Math.round(r.directPerSecond),
      r.directP50Ms.toFixed(2),
      r.ratioToDirect.toFixed(3),
      r.addedP50Ms.toFixed(2),
      c === undefined ? '' : `${(c.failedShare * 100).toFixed(2)} %`,
      r.cpuMsPerExchange.total?.toFixed(2) ?? '',
      ...processes.map((n) => r.cpuMsPerExchange[n]?.toFixed(2) ?? ''),
    ]);
  });
  console.log(table.toString());
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const phases = SYNC_CONCURRENCY.length * 2 + 2;
  // Bounded: set-up, warm-up, phases and the async drain of every store, with room to spare.
  const boundMs =
    options.stores.length *
    (240_000 + phases * (options.durationSeconds * 7 + 12) * 1000 + options.durationSeconds * 20_000);
  const closers = new Map<BenchStore, () => Promise<void>>();
  let stopping = false;
  const abort = (why: string, code: number) => {
    if (stopping) return;
    stopping = true;
    console.error(`${why}: stopping the network`);
    void Promise.all([...closers.values()].map((close) => close()))
      .catch((error: unknown) => console.error(error))
      .finally(() => process.exit(code));
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => abort(signal, 130));
  const bound = setTimeout(() => abort(`not done in ${Math.round(boundMs / 1000)} s`, 2), boundMs);

  console.log(
    `whole-exchange benchmark: ${options.stores.join(', ')}, ${options.durationSeconds} s per phase, ` +
      `${options.workers === 0 ? 'delivery workers in the gateway' : `${options.workers} worker process(es)`}, ` +
      `node ${process.version}, ${os.cpus().length} CPUs`,
  );
  const rows: ExchangeRow[] = [];
  const checks: PhaseCheck[] = [];
  const problems: string[] = [];
  const measure = (store: BenchStore) =>
    measureStore(store, options, (close) =>
      close === undefined ? closers.delete(store) : closers.set(store, close),
    );
  const measured: Awaited<ReturnType<typeof measure>>[] = [];
  if (options.storesInParallel) {
    // Every store to its end (each stops its own network) before a failure of one is reported.
    for (const outcome of await Promise.allSettled(options.stores.map(measure))) {
      if (outcome.status === 'rejected') throw outcome.reason;
      measured.push(outcome.value);
    }
  } else for (const store of options.stores) measured.push(await measure(store));
  for (const store of measured) {
    rows.push(...store.rows);
    checks.push(...store.checks);
    problems.push(...store.problems);
  }
  clearTimeout(bound);
  printTable(rows, checks);
  writeResults(
    'exchange',
    {
      cpus: os.cpus().length,
      phaseSeconds: options.durationSeconds,
      workers: options.workers === 0 ? 'in-gateway' : options.workers,
      storesInParallel: options.storesInParallel,
      logLevel: options.logLevel,
      ...(options.profileDir === undefined ? {} : { profileDir: options.profileDir }),
      rows,
      checks,
      problems,
    },
    options.out,
  );
  const failed = checks.filter((c) => !c.passed);
  for (const c of failed) {
    console.error(
      `FAILED ${c.store} ${c.phase} c=${c.concurrency}: ${c.ok} ok, ${JSON.stringify(c.unexpected)} other, ` +
        `${c.errors} errors${c.undelivered === undefined ? '' : `, ${c.undelivered} undelivered`}`,
    );
  }
  for (const problem of problems) console.error(`PROBLEM ${problem}`);
  if (failed.length > 0 || problems.length > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
