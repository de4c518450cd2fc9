/**
 * Runs the `ortoo` CLI in-process, as a terminal would, with captured output,
 * and a test gateway listening on a real port for it to talk to.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runCli } from '../../cli/src/main';
import { startGateway, type GatewayHarness } from './gateway-harness';

/** What one run of the CLI did. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `ortoo <args>` with `env` as its whole environment. */
export async function runOrtoo(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env,
  });
  return { code, stdout, stderr };
}

/** A test gateway listening on 127.0.0.1, and the environment that points the CLI at it as an admin. */
export interface ListeningGateway {
  readonly gateway: GatewayHarness;
  readonly url: string;
  /** ORTOO_URL and ORTOO_TOKEN of the test admin. */
  readonly env: NodeJS.ProcessEnv;
  /** The same with the auditor's token. */
  readonly auditorEnv: NodeJS.ProcessEnv;
  /** `ortoo <args>` as the test admin. */
  ortoo(args: readonly string[]): Promise<CliRun>;
  close(): Promise<void>;
}

/** Starts a PGlite test gateway on a free port. */
export async function startListeningGateway(): Promise<ListeningGateway> {
  const gateway = await startGateway('pglite');
  const server: Server = await new Promise((resolve, reject) => {
    const listening = gateway.app.listen(0, '127.0.0.1', (error?: Error) =>
      error === undefined ? resolve(listening) : reject(error),
    );
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const tokenOf = (authorization: string) => authorization.replace(/^Bearer /, '');
  const env = { ORTOO_URL: url, ORTOO_TOKEN: tokenOf(gateway.admin) };
  return {
    gateway,
    url,
    env,
    auditorEnv: { ORTOO_URL: url, ORTOO_TOKEN: tokenOf(gateway.auditor) },
    ortoo: (args) => runOrtoo(args, env),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await gateway.close();
    },
  };
}
