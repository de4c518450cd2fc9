/**
 * Driving an Örtöö network from outside, as its operators do: the `ortoo`
 * CLI run to completion or as a long-running process, other node programs
 * (backends, load generators) as processes of their own, and the gateway's
 * admin API over HTTP. The demo network (`npm start`) and the whole-exchange
 * benchmark both set their networks up with it.
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import path from 'node:path';
import { repoPath, type DemoService } from '../demo/demo-data';

/** The repository's root, where every process runs. */
export const REPO_ROOT = path.resolve(__dirname, '../..');

/** The `ortoo` command's entry point. */
export const ORTOO_BIN = path.join(REPO_ROOT, 'bin', 'ortoo.js');

/** Runs `ortoo …` to completion and returns its stdout; throws with its stderr when it fails. */
export function runOrtoo(args: readonly string[], env: NodeJS.ProcessEnv): string {
  const run = spawnSync(process.execPath, [ORTOO_BIN, ...args], { cwd: REPO_ROOT, env, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`ortoo ${args.join(' ')} failed: ${run.stderr}`);
  return run.stdout;
}

/** Runs `ortoo …` to completion without blocking this process; resolves with its stdout. */
export function runOrtooAsync(args: readonly string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [ORTOO_BIN, ...args], { cwd: REPO_ROOT, env }, (error, stdout, stderr) => {
      if (error === null) resolve(stdout);
      else reject(new Error(`ortoo ${args.join(' ')} failed: ${stderr}`, { cause: error }));
    });
  });
}

/** How a stopped process ended. */
export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** True when it did not stop on SIGTERM within the grace time and was killed. */
  readonly killed: boolean;
}

/** A long-running node process started by {@link startNodeProcess}. */
export interface NodeProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly pid: number;
  /** Stops it by its pid: SIGTERM, then SIGKILL after `graceMs`. Resolves at once if it has exited. */
  stop(graceMs?: number): Promise<ProcessExit>;
}

/** Options of {@link startNodeProcess}. */
export interface NodeProcessOptions {
  /** Name in messages. */
  readonly name: string;
  /** What follows `node` and {@link NodeProcessOptions.nodeFlags}: a script and its arguments. */
  readonly argv: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  /** It has started once its stdout matches this. */
  readonly ready: RegExp;
  /** File its stdout and stderr are appended to. */
  readonly logFile: string;
  /** Flags of node itself (e.g. `--cpu-prof`). @defaultValue none */
  readonly nodeFlags?: readonly string[];
  /** How long it may take to become ready. @defaultValue 60000 */
  readonly startTimeoutMs?: number;
  /** Open an IPC channel to it (`child.send`, `process.send` in it). @defaultValue false */
  readonly ipc?: boolean;
  /**
   * When set, a process that does not stop on SIGTERM in time is first asked
   * (SIGUSR2) for a node diagnostic report into this folder, naming the
   * handles that keep it alive, and only then killed. @defaultValue none
   */
  readonly reportDir?: string;
}

/** Starts `node <flags> <argv>` with its output in a log file, once it prints what `ready` matches. */
export async function startNodeProcess(options: NodeProcessOptions): Promise<NodeProcess> {
  const { name, logFile } = options;
  const log = createWriteStream(logFile, { flags: 'a' });
  const reportFlags =
    options.reportDir === undefined
      ? []
      : ['--report-on-signal', '--report-signal=SIGUSR2', `--report-directory=${options.reportDir}`];
  const child = spawn(process.execPath, [...reportFlags, ...(options.nodeFlags ?? []), ...options.argv], {
    cwd: REPO_ROOT,
    env: options.env,
    stdio: options.ipc === true ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => log.end());
  const running = () => child.exitCode === null && child.signalCode === null;
  const stop = async (graceMs = 15_000): Promise<ProcessExit> => {
    let killed = false;
    if (running()) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => {
        killed = true;
        if (options.reportDir === undefined) child.kill('SIGKILL');
        else {
          child.kill('SIGUSR2');
          setTimeout(() => child.kill('SIGKILL'), 2000);
        }
      }, graceMs);
      await exited;
      clearTimeout(timer);
    }
    return { code: child.exitCode, signal: child.signalCode, killed };
  };
  try {
    await new Promise<void>((resolve, reject) => {
      let seen = '';
      const timer = setTimeout(
        () =>
          reject(
            new Error(`${name} did not start in ${options.startTimeoutMs ?? 60_000} ms: see ${logFile}`),
          ),
        options.startTimeoutMs ?? 60_000,
      );
      const onData = (chunk: Buffer) => {
        seen += chunk.toString();
        if (options.ready.test(seen)) {
          clearTimeout(timer);
          child.stdout?.off('data', onData);
          resolve();
        }
      };
      child.stdout?.on('data', onData);
      void exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`${name} exited at start: see ${logFile}`));
      });
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return { name, child, pid: child.pid as number, stop };
}

/** Starts a long-running `ortoo …` (see {@link startNodeProcess}). */
export function startOrtooProcess(
  options: Omit<NodeProcessOptions, 'argv'> & { readonly args: readonly string[] },
): Promise<NodeProcess> {
  const { args, ...rest } = options;
  return startNodeProcess({ ...rest, argv: [ORTOO_BIN, ...args] });
}

/** The status and JSON body of an admin API answer. */
export interface AdminAnswer {
  readonly status: number;
  readonly body: unknown;
}

/** A small client of the gateway's admin API, authenticated with `token`. */
export function adminApi(baseUrl: string, token: string) {
  return async (method: string, pathname: string, body?: unknown): Promise<AdminAnswer> => {
    const res = await fetch(`${baseUrl}${pathname}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
  };
}

/** Creates something unless it exists: 201 or 200 done, 409 already there. */
export async function ensure(call: Promise<AdminAnswer>, what: string): Promise<void> {
  const { status, body } = await call;
  if (status !== 200 && status !== 201 && status !== 409) {
    throw new Error(`${what} failed with ${status}: ${JSON.stringify(body)}`);
  }
}

/** Delivery settings of a service registration. */
export interface ServiceSettings {
  readonly timeoutMs: number;
  readonly retryPolicy: { readonly maxAttempts: number; readonly backoffMs: number };
  /** The answer's schema, instead of the service's own file. @defaultValue the service's */
  readonly responseSchema?: unknown;
}

/**
 * The body of `POST /v1/services` registering a demo service: its schemas
 * read from their files, or its OpenAPI document's text (as `ortoo admin
 * services create --openapi` sends it).
 */
export function serviceRegistration(
  service: DemoService,
  settings: ServiceSettings,
): Record<string, unknown> {
  const text = (file: string) => readFileSync(repoPath(file), 'utf8');
  const { description } = service;
  const payload =
    description.kind === 'openapi'
      ? { openapi: text(description.document) }
      : {
          requestSchema: JSON.parse(text(description.requestSchema)) as unknown,
          responseSchema:
            settings.responseSchema ?? (JSON.parse(text(description.responseSchema)) as unknown),
        };
  return {
    id: service.id,
    version: service.version,
    title: service.title,
    ...payload,
    timeoutMs: settings.timeoutMs,
    retryPolicy: settings.retryPolicy,
    dataSubjectPointer: service.dataSubjectPointer,
  };
}
