import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createConnection } from 'node:net';

/** A redis-server this process started, with its own data folder. */
export interface PrivateRedis {
  readonly url: string;
  readonly process: ChildProcess;
  /** Stops it by its pid (SIGTERM: it writes its append-only file and exits). */
  stop(): Promise<void>;
}

/** True when `redis-server` is on the PATH. */
export function hasRedisServer(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** Resolves once something accepts TCP connections on `port`, or rejects after `timeoutMs`. */
async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline)
      throw new Error(`redis-server did not listen on port ${port} in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Starts a private redis-server on 127.0.0.1:`port` keeping its data in
 * `dir` with append-only persistence, so queued messages survive a restart
 * of the demo.
 *
 * @throws Error naming `apt-get install redis-server` when there is none on the PATH.
 */
export async function startPrivateRedis(
  dir: string,
  port: number,
  options: {
    /** `--appendfsync`: `always` fsyncs every write, as a fault run that kills it needs. @defaultValue Redis's own (everysec) */
    readonly appendFsync?: 'always' | 'everysec';
  } = {},
): Promise<PrivateRedis> {
  if (!hasRedisServer()) {
    throw new Error(
      'redis-server is not on the PATH: install it (Debian/Ubuntu: `sudo apt-get install redis-server`) ' +
        'or set REDIS_URL to a Redis you run',
    );
  }
  mkdirSync(dir, { recursive: true });
  const child = spawn(
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
      ...(options.appendFsync === undefined ? [] : ['--appendfsync', options.appendFsync]),
      '--save',
      '',
      '--protected-mode',
      'yes',
    ],
    { stdio: 'ignore' },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await Promise.race([
    waitForPort(port, 10_000),
    exited.then(() => {
      throw new Error(`redis-server exited at start (is port ${port} taken?)`);
    }),
  ]);
  return {
    url: `redis://127.0.0.1:${port}`,
    process: child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await exited;
    },
  };
}
