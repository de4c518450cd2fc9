/**
 * The admin listener over HTTPS, so the console can be offered beyond
 * localhost: `ortoo gateway start` with ORTOO_GATEWAY_TLS=instance-ca serves
 * the API and the console with the gateway's certificate from the instance
 * CA, and the console's session cookie is then Secure.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadGatewayConfig } from '../../../gateway/src/config';
import { runOrtoo } from '../../helpers/cli-runner';
import { gatewayProcessEnv, stopProcess, waitForOutput } from '../../helpers/processes';

const ROOT = path.resolve(__dirname, '../../..');

/** One HTTPS call trusting only `ca`. */
function call(url: string, ca: string | undefined, init: { method?: string; body?: unknown } = {}) {
  return new Promise<{
    status: number;
    headers: Record<string, string | string[] | undefined>;
    body: string;
  }>((resolve, reject) => {
    const req = request(
      url,
      {
        method: init.method ?? 'GET',
        ...(ca === undefined ? {} : { ca }),
        headers: { 'content-type': 'application/json' },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(init.body === undefined ? undefined : JSON.stringify(init.body));
  });
}

describe('the admin listener over HTTPS', () => {
  let dir: string;
  let gateway: ChildProcess | undefined;

  afterAll(async () => {
    if (gateway !== undefined) await stopProcess(gateway);
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the API and the console with the instance CA’s certificate, and a Secure session cookie', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'ortoo-admin-https-'));
    const env = { ...(await gatewayProcessEnv(dir)), ORTOO_GATEWAY_TLS: 'instance-ca' };
    expect((await runOrtoo(['gateway', 'init'], env)).code).toBe(0);
    const bootstrap = await runOrtoo(['gateway', 'bootstrap', '--name', 'Bat', '--json'], env);
    const token = JSON.parse(bootstrap.stdout).token as string;
    gateway = spawn(process.execPath, [path.join(ROOT, 'bin/ortoo.js'), 'gateway', 'start'], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const started = await waitForOutput(gateway, /listening on (https:\/\/\S+)/, 60_000);
    const url = /listening on (https:\/\/\S+)/.exec(started)?.[1] ?? '';
    const ca = readFileSync(path.join(dir, 'certs', 'ca.pem'), 'utf8');

    expect((await call(`${url}/v1/openapi.json`, ca)).status).toBe(200);
    const page = await call(`${url}/console/`, ca);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    const signedIn = await call(`${url}/v1/session`, ca, { method: 'POST', body: { token } });
    expect(signedIn.status).toBe(201);
    expect(String(signedIn.headers['set-cookie'])).toMatch(/HttpOnly; SameSite=Strict; Max-Age=\d+; Secure$/);
    // A client that trusts only the public CAs, not the instance's, does not connect.
    await expect(call(`${url}/v1/openapi.json`, undefined)).rejects.toThrow();
  }, 90_000);

  it("refuses operator's files that are not named, naming the setting", () => {
    expect(() => loadGatewayConfig({ env: { ORTOO_GATEWAY_TLS: 'files' } })).toThrow(
      /ORTOO_GATEWAY_TLS_CERT/,
    );
    expect(loadGatewayConfig({ env: {} }).http.tls).toBe('off');
  });
});
