/**
 * A Redis server of a test's own, which it may kill: `redis-server` on a
 * free port in a temporary folder, with append-only persistence fsynced on
 * every write (`--appendonly yes --appendfsync always`), as a deployment
 * that promises accepted messages survive a Redis crash runs it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, stopProcess, waitForOutput } from './processes';

/** A running private Redis. */
export interface PrivateRedis {
  readonly url: string;
  /** Kills it (SIGKILL), as a crash would; its append-only file stays. */
  crash(): Promise<void>;
  /** Starts it again on the same port and folder: it loads its append-only file. */
  restart(): Promise<void>;
  /** Stops it and removes its folder. */
  close(): Promise<void>;
}

/** Starts a private Redis; `redis-server` must be on the PATH. */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const dir = mkdtempSync(path.join(tmpdir(), 'ortoo-redis-'));
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    const started = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
        '--save',
        '',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    await waitForOutput(started, /Ready to accept connections/, 20_000);
    child = started;
  };
  const crash = async () => {
    const running = child;
    child = undefined;
    if (running === undefined || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    crash,
    restart: start,
    close: async () => {
      if (child !== undefined) await stopProcess(child);
      child = undefined;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
