/**
 * A Redis server of a test's own, which it may kill: the demo's private
 * `redis-server` on a free port in a temporary folder, with append-only
 * persistence fsynced on every write (`--appendfsync always`), as a
 * deployment that promises accepted messages survive a Redis crash runs it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startPrivateRedis, type PrivateRedis } from '../../scripts/demo/private-redis';
import { freePort } from './processes';

/** A running private Redis that can crash. */
export interface CrashableRedis {
  readonly url: string;
  /** Kills it (SIGKILL), as a crash would; its append-only file stays. */
  crash(): Promise<void>;
  /** Starts it again on the same port and folder: it loads its append-only file. */
  restart(): Promise<void>;
  /** Stops it and removes its folder. */
  close(): Promise<void>;
}

/** Starts a private Redis; `redis-server` must be on the PATH. */
export async function startCrashableRedis(): Promise<CrashableRedis> {
  const dir = mkdtempSync(path.join(tmpdir(), 'ortoo-redis-'));
  const port = await freePort();
  const start = () => startPrivateRedis(dir, port, { appendFsync: 'always' });
  let running: PrivateRedis | undefined = await start();
  return {
    url: running.url,
    async crash() {
      const { process: child } = running ?? {};
      running = undefined;
      if (child === undefined || child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    },
    async restart() {
      running = await start();
    },
    async close() {
      await running?.stop();
      running = undefined;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
