/**
 * The demo's admin token, kept from the moment `ortoo gateway bootstrap`
 * prints it: a `npm start` that fails after the bootstrap (a port taken, a
 * backend that would not start) leaves the gateway with an admin token, and
 * the next start resumes with it instead of failing to bootstrap again.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Where the token is kept, beside the gateway's PGlite folder (`var/demo/gateway/admin-token`). */
export function adminTokenFile(demoDir: string): string {
  return path.join(demoDir, 'gateway', 'admin-token');
}

/** The token a previous start kept, if any. */
export function savedAdminToken(demoDir: string): string | undefined {
  const file = adminTokenFile(demoDir);
  if (!existsSync(file)) return undefined;
  const token = readFileSync(file, 'utf8').trim();
  return token === '' ? undefined : token;
}

/** Keeps `token` for the next start (mode 0600: it is an administrator's credential). */
export function saveAdminToken(demoDir: string, token: string): void {
  const file = adminTokenFile(demoDir);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
}

/**
 * What to tell the user when a start fails: for a gateway that has an admin
 * token this demo no longer knows (a start that failed halfway before the
 * token was kept), exactly how to start afresh; otherwise the error as it is.
 */
export function explainStartFailure(error: unknown, demoDir: string): string {
  const message = error instanceof Error ? error.message : String(error);
  if (!/already has \d+ active admin token/.test(message)) return message;
  const relative = path.relative(process.cwd(), demoDir) || demoDir;
  return (
    `The demo gateway in ${relative} already has an admin token, but this demo no longer knows it ` +
    `(${path.relative(process.cwd(), adminTokenFile(demoDir))} and network.json are missing).\n` +
    `Start afresh: stop any running demo, then \`rm -rf ${relative}\` and \`npm start\` ` +
    '(the trust material in certs/ is kept and reused).'
  );
}
