/**
 * Shared shape of every benchmark suite: each task runs several times with
 * tinybench, the median run is reported, and the figures go to the console
 * as a table and to `bench/results/<suite>.json` (git-ignored) so later
 * suites (gateway hop, audit, whole exchange) add their files the same way.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Bench } from 'tinybench';

/** One measured figure. */
export interface Figure {
  name: string;
  value: number;
  unit: string;
}

/** A task to measure, with the throughput it must reach. */
export interface BenchTask {
  name: string;
  fn: () => unknown;
  /** Minimum ops/s; reported as met or missed. */
  target?: number;
  /** Name of a task in the same suite doing the bare operation underneath; the ratio to it is reported. */
  baseline?: string;
}

/** Options of {@link runSuite}. */
export interface SuiteOptions {
  /** Name of the suite and of its results file. */
  suite: string;
  tasks: BenchTask[];
  /** @defaultValue 5 */
  runs?: number;
  /** Milliseconds each run measures a task. @defaultValue 1000 */
  time?: number;
}

interface TaskResult {
  name: string;
  opsPerSecond: number;
  p50Microseconds: number;
  p99Microseconds: number;
  target?: number;
  met?: boolean;
  /** Throughput as a share of the baseline task's. */
  ratio?: number;
}

/** The middle value (upper middle for an even count). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

/** Runs a suite, prints its table and writes its JSON; missed targets are reported, not fatal. */
export async function runSuite(options: SuiteOptions): Promise<void> {
  const runs = options.runs ?? 5;
  const perTask = new Map<string, { ops: number[]; p50: number[]; p99: number[] }>();
  for (let run = 0; run < runs; run += 1) {
    const bench = new Bench({ time: options.time ?? 1000, warmupTime: 200 });
    for (const task of options.tasks) bench.add(task.name, task.fn);
    await bench.run();
    for (const task of bench.tasks) {
      const result = task.result;
      if (result.state !== 'completed') throw new Error(`benchmark task ${task.name} did not complete`);
      const entry = perTask.get(task.name) ?? { ops: [], p50: [], p99: [] };
      entry.ops.push(result.throughput.mean);
      entry.p50.push(result.latency.p50 * 1000);
      entry.p99.push(result.latency.p99 * 1000);
      perTask.set(task.name, entry);
    }
  }

  const medianOps = (name: string): number => {
    const entry = perTask.get(name);
    if (!entry) throw new Error(`no results for ${name}`);
    return median(entry.ops);
  };
  const results: TaskResult[] = options.tasks.map((task) => {
    const entry = perTask.get(task.name);
    if (!entry) throw new Error(`no results for ${task.name}`);
    const opsPerSecond = medianOps(task.name);
    return {
      name: task.name,
      opsPerSecond,
      p50Microseconds: median(entry.p50),
      p99Microseconds: median(entry.p99),
      ...(task.target === undefined ? {} : { target: task.target, met: opsPerSecond >= task.target }),
      ...(task.baseline === undefined ? {} : { ratio: opsPerSecond / medianOps(task.baseline) }),
    };
  });

  console.log(
    `\nsuite ${options.suite}: median of ${runs} runs, node ${process.version}, ${os.cpus()[0]?.model}`,
  );
  console.table(
    results.map((r) => ({
      task: r.name,
      'ops/s': Math.round(r.opsPerSecond),
      'p50 µs': r.p50Microseconds.toFixed(1),
      'p99 µs': r.p99Microseconds.toFixed(1),
      'vs bare': r.ratio === undefined ? '' : r.ratio.toFixed(2),
      target: r.target ?? '',
      met: r.met === undefined ? '' : r.met ? 'yes' : 'NO',
    })),
  );

  const figures: Figure[] = results.flatMap((r) => [
    { name: `${r.name} throughput`, value: Math.round(r.opsPerSecond), unit: 'ops/s' },
    { name: `${r.name} latency p50`, value: Number(r.p50Microseconds.toFixed(2)), unit: 'µs' },
    { name: `${r.name} latency p99`, value: Number(r.p99Microseconds.toFixed(2)), unit: 'µs' },
    ...(r.ratio === undefined
      ? []
      : [{ name: `${r.name} ratio to bare`, value: Number(r.ratio.toFixed(3)), unit: 'ratio' }]),
  ]);
  writeFigures(options.suite, figures, {
    runs,
    targets: results
      .filter((r) => r.target !== undefined)
      .map((r) => ({ name: `${r.name} throughput`, min: r.target, met: r.met })),
  });
}

/** A throughput a task must reach, and whether it did. */
export interface Target {
  name: string;
  min: number | undefined;
  /** For figures that must stay below a bound (latencies). */
  max?: number;
  met: boolean | undefined;
}

/** What a results file may say beside its figures. */
export interface ResultsExtras {
  /** How many runs each figure is the median of. */
  runs?: number;
  targets?: Target[];
}

/**
 * Writes `bench/results/<suite>.json`: the suite, the date, node and CPU,
 * then the figures; the one format every suite's results share, so a suite
 * that measures something other than ops/s (sizes, build times) writes it too.
 */
export function writeFigures(suite: string, figures: Figure[], extras: ResultsExtras = {}): void {
  writeResults(suite, {
    ...(extras.runs === undefined ? {} : { runs: extras.runs }),
    figures,
    ...(extras.targets === undefined ? {} : { targets: extras.targets }),
  });
}

/**
 * Writes a suite's results to `file` (default `bench/results/<suite>.json`):
 * the suite, the date, node and CPU, then `body`.
 */
export function writeResults(
  suite: string,
  body: Record<string, unknown>,
  file = path.join('bench', 'results', `${suite}.json`),
): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const report = {
    suite,
    date: new Date().toISOString(),
    node: process.version,
    cpu: os.cpus()[0]?.model,
    ...body,
  };
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`written ${file}`);
}
