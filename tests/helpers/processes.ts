/**
 * Child processes in tests: a free port to give them, and waiting for what
 * they print.
 */
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * The environment of an `ortoo gateway` process of instance MN that keeps its
 * trust material in `dir/certs` and its PGlite database in `dir/db`, listens
 * on free ports, keeps its Redis keys under its own prefix and logs warnings only.
 */
export async function gatewayProcessEnv(dir: string): Promise<NodeJS.ProcessEnv> {
  return {
    ORTOO_INSTANCE: 'MN',
    ORTOO_CERTS_DIR: path.join(dir, 'certs'),
    ORTOO_GATEWAY_DATA_DIR: path.join(dir, 'db'),
    ORTOO_GATEWAY_PORT: String(await freePort()),
    ORTOO_EXCHANGE_PORT: String(await freePort()),
    // Its own Redis keys, so gateways of tests running side by side never share queues.
    ORTOO_QUEUE_PREFIX: `ortoo-test-${path.basename(dir).replace(/[^A-Za-z0-9._-]/g, '')}`,
    LOG_LEVEL: 'warn',
  };
}

/** Resolves with everything the child wrote once `pattern` shows up in its stdout. */
export function waitForOutput(child: ChildProcess, pattern: RegExp, timeoutMs = 20_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(
      () => reject(new Error(`timed out waiting for ${pattern}; got: ${seen}`)),
      timeoutMs,
    );
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      if (pattern.test(seen)) {
        clearTimeout(timer);
        resolve(seen);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (seen += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before ${pattern}: ${seen}`));
    });
  });
}

/** Stops a child with SIGTERM and resolves with its exit code; SIGKILL if it has not gone in `graceMs`. */
export async function stopProcess(child: ChildProcess, graceMs = 10_000): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  try {
    return await exited;
  } finally {
    clearTimeout(timer);
  }
}
