/**
 * A real load balancer in front of several gateway processes: Debian's
 * haproxy in TCP mode, so the mutual TLS of the exchange listener passes
 * through to the gateway (as the README's deployment has it). It checks each
 * backend by connecting every 200 ms; a connection to a backend that has just
 * died is retried on another one.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sleep } from './eventually';
import { freePort, stopProcess } from './processes';

/** One balanced port: where it listens, and the backends' ports behind it. */
export interface BalancedPort {
  readonly name: string;
  readonly backends: readonly number[];
}

/** A running load balancer. */
export interface TcpLoadBalancer {
  /** The port each {@link BalancedPort} listens on, by name. */
  readonly ports: ReadonlyMap<string, number>;
  readonly pid: number;
  close(): Promise<void>;
}

/** True when haproxy is installed. */
export function haproxyInstalled(): boolean {
  return spawnSync('haproxy', ['-v'], { encoding: 'utf8' }).status === 0;
}

/** The haproxy configuration of `balanced`, listening on `ports`. */
export function haproxyConfig(balanced: readonly BalancedPort[], ports: ReadonlyMap<string, number>): string {
  const sections = balanced.map((entry) =>
    [
      `listen ${entry.name}`,
      `  bind 127.0.0.1:${ports.get(entry.name) as number}`,
      '  balance roundrobin',
      ...entry.backends.map(
        (port, index) =>
          `  server ${entry.name}${index + 1} 127.0.0.1:${port} check inter 200ms fall 1 rise 2`,
      ),
    ].join('\n'),
  );
  return [
    'global',
    '  maxconn 4096',
    'defaults',
    '  mode tcp',
    '  timeout connect 2s',
    '  timeout client 60s',
    '  timeout server 60s',
    // A connection refused by a backend that just died goes to another one.
    '  retries 3',
    '  option redispatch',
    ...sections,
    '',
  ].join('\n');
}

/** Starts haproxy in the foreground (`-db`) and resolves once it listens. */
export async function startTcpLoadBalancer(balanced: readonly BalancedPort[]): Promise<TcpLoadBalancer> {
  const dir = mkdtempSync(path.join(tmpdir(), 'ortoo-haproxy-'));
  const ports = new Map<string, number>();
  for (const entry of balanced) ports.set(entry.name, await freePort());
  const file = path.join(dir, 'haproxy.cfg');
  writeFileSync(file, haproxyConfig(balanced, ports));
  const check = spawnSync('haproxy', ['-c', '-q', '-f', file], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`haproxy refused its configuration: ${check.stderr}`);
  const child: ChildProcess = spawn('haproxy', ['-db', '-f', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  let errors = '';
  child.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const close = async () => {
    await stopProcess(child, 5000);
    rmSync(dir, { recursive: true, force: true });
  };
  const listening = async (port: number) => {
    for (let attempt = 0; attempt < 100; attempt += 1) {
      if (child.exitCode !== null) throw new Error(`haproxy exited: ${errors}`);
      const ok = await new Promise<boolean>((resolve) => {
        const socket = connect(port, '127.0.0.1');
        socket.once('connect', () => {
          socket.destroy();
          resolve(true);
        });
        socket.once('error', () => resolve(false));
      });
      if (ok) return;
      await sleep(50);
    }
    throw new Error(`haproxy does not listen on ${port}: ${errors}`);
  };
  try {
    for (const port of ports.values()) await listening(port);
  } catch (error) {
    await close();
    throw error;
  }
  return { ports, pid: child.pid as number, close };
}
