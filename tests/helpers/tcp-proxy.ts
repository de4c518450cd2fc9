/**
 * A TCP proxy a fault run puts between a process and a server it depends on
 * (the gateway and PostgreSQL): `cut` drops every connection and refuses
 * new ones, as a network partition or a database that went away would;
 * `restore` takes connections again, on the same port. It runs as a child
 * process of its own, so it forwards even while the test's process waits
 * on a synchronous call (the bench network's CLI steps).
 */
import { fork } from 'node:child_process';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { freePort } from './processes';

/** A running proxy. */
export interface TcpProxy {
  /** The port it listens on (127.0.0.1). */
  readonly port: number;
  /** Drops every open connection and stops listening: new ones are refused. */
  cut(): Promise<void>;
  /** Listens again. */
  restore(): Promise<void>;
  /** Stops the proxy's process. */
  close(): Promise<void>;
}

/** Starts a proxy on a free port to `target` (`host:port`). */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const port = await freePort();
  const child = fork(__filename, [String(port), target.host, String(target.port)], {
    execArgv: ['--require', 'tsx/cjs'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const command = (what: 'cut' | 'restore' | 'listening') =>
    new Promise<void>((resolve, reject) => {
      const onMessage = (message: unknown) => {
        if (message !== what) return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve();
      };
      const onExit = () => reject(new Error(`the TCP proxy exited before it was ${what}`));
      child.on('message', onMessage);
      child.once('exit', onExit);
      if (what !== 'listening') child.send(what);
    });
  await command('listening');
  return {
    port,
    cut: () => command('cut'),
    restore: () => command('restore'),
    close: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** The proxy's process: `tcp-proxy.ts <port> <target host> <target port>`, told `cut` and `restore`. */
function main(): void {
  const [port, host, targetPort] = [Number(process.argv[2]), process.argv[3] ?? '', Number(process.argv[4])];
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  const listen = async () => {
    if (server !== undefined) return;
    const listening = createServer((inbound) => {
      const outbound = connect(targetPort, host);
      for (const socket of [inbound, outbound]) {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      inbound.pipe(outbound).pipe(inbound);
      inbound.on('close', () => outbound.destroy());
      outbound.on('close', () => inbound.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      listening.once('error', reject);
      listening.listen(port, '127.0.0.1', () => resolve());
    });
    server = listening;
  };
  const cut = async () => {
    const closing = server;
    server = undefined;
    for (const socket of sockets) socket.destroy();
    sockets.clear();
    if (closing !== undefined) await new Promise<void>((resolve) => closing.close(() => resolve()));
  };
  process.on('message', (message: unknown) => {
    const done = () => process.send?.(message);
    if (message === 'cut') void cut().then(done);
    if (message === 'restore') void listen().then(done);
  });
  process.once('SIGTERM', () => void cut().then(() => process.exit(0)));
  process.once('disconnect', () => void cut().then(() => process.exit(0)));
  void listen().then(() => process.send?.('listening'));
}

if (require.main === module) main();
