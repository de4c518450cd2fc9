import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';

/** A backend listening, as {@link startBackend} leaves it. */
export interface RunningBackend {
  readonly server: Server;
  readonly host: string;
  /** The port it listens on: the one asked for, or the one the system chose for 0. */
  readonly port: number;
  /** `http://host:port`, to which a service's `backendPath` is appended. */
  readonly origin: string;
  /**
   * Stops listening and ends every connection, idle keep-alive ones
   * included, so the port is free again at once: how the demo takes an
   * agency offline, and `startBackend` on the same port brings it back.
   */
  close(): Promise<void>;
}

/** Default of {@link startBackend}'s `host`: only this machine. */
export const DEFAULT_BACKEND_HOST = '127.0.0.1';

/**
 * Serves `app` over plain HTTP on `host:port` (0: a free port) and resolves
 * once it listens. Demo backends are reached only by their own agency's
 * security server, on the same machine.
 *
 * @throws Error when it cannot listen (the port taken, the host unknown),
 *   naming the address, with the system's error as `cause`.
 */
export function startBackend(
  app: Express,
  port: number,
  host: string = DEFAULT_BACKEND_HOST,
): Promise<RunningBackend> {
  const server = createServer(app);
  return new Promise((resolve, reject) => {
    const failed = (error: Error): void => {
      reject(new Error(`Cannot listen on ${host}:${port}: ${error.message}`, { cause: error }));
    };
    server.once('error', failed);
    server.listen(port, host, () => {
      server.off('error', failed);
      const bound = (server.address() as AddressInfo).port;
      const authority = host.includes(':') ? `[${host}]` : host;
      resolve({
        server,
        host,
        port: bound,
        origin: `http://${authority}:${bound}`,
        close: () =>
          new Promise<void>((done, fail) => {
            server.close((error) => (error === undefined ? done() : fail(error)));
            server.closeAllConnections();
          }),
      });
    });
  });
}
