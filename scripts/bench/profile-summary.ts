/**
 * `npx tsx scripts/bench/profile-summary.ts <dir> [--top 15] [--by function|file|both]`:
 * where the CPU of profiled processes went. Reads every `.cpuprofile` (V8's
 * format, as `node --cpu-prof` writes it) under `<dir>`, takes the folder a
 * profile lies in as its process's name (the layout `exchange.ts --profile`
 * writes: `<dir>/<store>/<process>/*.cpuprofile`), sums each sample's time
 * as self time of the function it was taken in, and prints per process the
 * top functions and the top files (a package of node_modules counts as one
 * file; node's own modules as `node:<name>`), with each one's share of the
 * process's busy time (idle left out).
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import Table from 'cli-table3';
import { Command, InvalidArgumentError, Option } from 'commander';
import { REPO_ROOT } from '../network/ortoo-cli';

/** The part of V8's CPU profile format read here. */
interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    children?: number[];
  }[];
  samples: number[];
  /** µs since the previous sample, one per sample. */
  timeDeltas: number[];
}

/** Self time of one function or file in one process. */
export interface SelfTime {
  readonly name: string;
  readonly ms: number;
  /** Share of the process's busy (not idle) time. */
  readonly share: number;
}

/** Where one process's CPU went. */
export interface ProcessSummary {
  readonly process: string;
  readonly profiles: number;
  /** Sampled time that was not idle, ms. */
  readonly busyMs: number;
  readonly functions: SelfTime[];
  readonly files: SelfTime[];
}

/** V8's pseudo-frames: no script, a name in parentheses. */
const IDLE = '(idle)';

/** A script's path as shown: repository-relative, or from its package in node_modules, or `node:…`. */
export function scriptOf(url: string): string {
  const file = url.startsWith('file://') ? new URL(url).pathname : url;
  const modules = file.lastIndexOf('/node_modules/');
  if (modules >= 0) return file.slice(modules + '/node_modules/'.length);
  return path.isAbsolute(file) ? path.relative(REPO_ROOT, file) : file;
}

/** The file a sample is counted to: its script, a node_modules package as a whole, or V8's pseudo-frame. */
export function fileOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  const script = scriptOf(url);
  if (!url.includes('/node_modules/')) return script;
  const [scopeOrName, name] = script.split('/');
  return scopeOrName?.startsWith('@') === true ? `${scopeOrName}/${name}` : (scopeOrName ?? script);
}

type CallFrame = CpuProfile['nodes'][number]['callFrame'];

/** A native function (no script, a name not in V8's parentheses), whose time belongs to its JS caller. */
function isNative(frame: CallFrame): boolean {
  return frame.url === '' && !frame.functionName.startsWith('(');
}

/**
 * Adds one profile's self times into `functions` and `files` (ms by name);
 * returns its busy ms. A native function is listed by its own name among
 * the functions, and counted to the file of the JS function that called it
 * (node's `sign` to `node:internal/crypto/sig`, `writev` to the stream that
 * wrote).
 */
function addProfile(profile: CpuProfile, functions: Map<string, number>, files: Map<string, number>): number {
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const parents = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  const fileOfNode = new Map<number, string>();
  const fileOfSample = (id: number): string => {
    const known = fileOfNode.get(id);
    if (known !== undefined) return known;
    let at: number | undefined = id;
    let frame = frames.get(id) as CallFrame;
    while (isNative(frame) && at !== undefined) {
      at = parents.get(at);
      frame = (at === undefined ? undefined : frames.get(at)) ?? frame;
      if (at === undefined) break;
    }
    const file = isNative(frame) ? '(native)' : fileOf(frame.url, frame.functionName);
    fileOfNode.set(id, file);
    return file;
  };
  let busy = 0;
  profile.samples.forEach((id, i) => {
    const frame = frames.get(id);
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    if (frame === undefined || frame.functionName === IDLE) return;
    busy += ms;
    const fn =
      frame.url === ''
        ? frame.functionName.startsWith('(')
          ? frame.functionName
          : `${frame.functionName || '(anonymous)'} (native)`
        : `${frame.functionName || '(anonymous)'} ${scriptOf(frame.url)}${
            // tsx runs TypeScript transpiled without source maps in profiles: its line numbers mean nothing.
            frame.url.endsWith('.ts') ? '' : `:${frame.lineNumber + 1}`
          }`;
    const file = fileOfSample(id);
    functions.set(fn, (functions.get(fn) ?? 0) + ms);
    files.set(file, (files.get(file) ?? 0) + ms);
  });
  return busy;
}

function top(totals: Map<string, number>, busyMs: number, count: number): SelfTime[] {
  return [...totals]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, ms]) => ({ name, ms, share: busyMs > 0 ? ms / busyMs : 0 }));
}

/** Every `.cpuprofile` under `dir`, by the name of the folder it lies in (relative to `dir`). */
function profilesByProcess(dir: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder)) {
      const file = path.join(folder, entry);
      if (statSync(file).isDirectory()) walk(file);
      else if (entry.endsWith('.cpuprofile')) {
        const name = path.relative(dir, folder) || path.basename(dir);
        found.set(name, [...(found.get(name) ?? []), file]);
      }
    }
  };
  walk(dir);
  return found;
}

/** Summarises every process's profiles under `dir`, `count` entries of each list. */
export function summariseProfiles(dir: string, count: number): ProcessSummary[] {
  return [...profilesByProcess(dir)].sort().map(([name, files]) => {
    const functions = new Map<string, number>();
    const byFile = new Map<string, number>();
    let busyMs = 0;
    for (const file of files) {
      busyMs += addProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, functions, byFile);
    }
    return {
      process: name,
      profiles: files.length,
      busyMs,
      functions: top(functions, busyMs, count),
      files: top(byFile, busyMs, count),
    };
  });
}

function printList(title: string, entries: readonly SelfTime[]): void {
  const table = new Table({ head: [title, 'self ms', '% busy'], colAligns: ['left', 'right', 'right'] });
  for (const entry of entries) table.push([entry.name, entry.ms.toFixed(0), (entry.share * 100).toFixed(1)]);
  console.log(table.toString());
}

function main(): void {
  const program = new Command('profile-summary')
    .argument('<dir>', 'folder of .cpuprofile files, one sub-folder per process')
    .option(
      '--top <n>',
      'entries per list',
      (value: string) => {
        const n = Number(value);
        if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
        return n;
      },
      15,
    )
    .addOption(
      new Option('--by <what>', 'lists to print').choices(['function', 'file', 'both']).default('both'),
    )
    .parse();
  const [dir] = program.args as [string];
  const { top: count, by } = program.opts<{ top: number; by: 'function' | 'file' | 'both' }>();
  const summaries = summariseProfiles(path.resolve(dir), count);
  if (summaries.length === 0) throw new Error(`no .cpuprofile files under ${dir}`);
  for (const summary of summaries) {
    console.log(
      `\n${summary.process}: ${(summary.busyMs / 1000).toFixed(1)} s busy in ${summary.profiles} profile(s)`,
    );
    if (by !== 'file') printList('function (self time)', summary.functions);
    if (by !== 'function') printList('file or package (self time)', summary.files);
  }
}

if (require.main === module) main();
