import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runOrtoo } from '../../helpers/cli-runner';
import { gatewayProcessEnv, waitForOutput } from '../../helpers/processes';
import { TEST_DATABASE_URL, randomSchema } from '../../helpers/store-engines';
import pg from 'pg';

const ROOT = path.resolve(__dirname, '../../..');

describe('ortoo gateway', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'ortoo-gateway-cli-'));
    env = await gatewayProcessEnv(dir);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('init creates the trust material once, keys readable by the owner only', async () => {
    const other = path.join(dir, 'other-certs');
    const first = await runOrtoo(['gateway', 'init', '--certs-dir', other], env);
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(first.stdout).toContain(`Created the trust material of instance MN in ${other}`);
    expect(readdirSync(other).sort()).toEqual([
      'audit-log.ed25519.key',
      'audit-log.ed25519.key.vkey',
      'audit-signing.key',
      'audit-signing.pem',
      'audit-subject.secret',
      'ca.key',
      'ca.pem',
      'gateway-tls.key',
      'gateway-tls.pem',
      'global-conf-signing.key',
      'global-conf-signing.pem',
    ]);
    expect(statSync(path.join(other, 'ca.key')).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(other, 'audit-subject.secret')).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(other, 'audit-log.ed25519.key')).mode & 0o777).toBe(0o600);
    const thumbprint = /^CA thumbprint\s+(\S+)$/m.exec(first.stdout)?.[1];
    expect(thumbprint).toEqual(expect.any(String));

    const again = await runOrtoo(['gateway', 'init', '--certs-dir', other], env);
    expect(again.stdout).toContain('already in');
    expect(again.stdout).toContain(thumbprint);
  });

  it('init refuses a configuration it cannot use, saying which setting is wrong', async () => {
    const run = await runOrtoo(['gateway', 'init'], { ...env, ORTOO_INSTANCE: 'not/valid' });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^error: Server\.InvalidConfiguration: Invalid configuration: instance \(env ORTOO_INSTANCE\)/,
    );
  });

  it('bootstraps the first admin token once, then refuses unless forced', async () => {
    const first = await runOrtoo(['gateway', 'bootstrap', '--name', 'Bat (first admin)'], env);
    expect(first).toMatchObject({ code: 0, stderr: '' });
    const [token, note] = first.stdout.split('\n');
    expect(token).toMatch(/^ortoo_[A-Za-z0-9_-]{43}$/);
    expect(note).toContain('shown only this once and not stored in clear');

    const second = await runOrtoo(['gateway', 'bootstrap', '--name', 'again'], env);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain('already has 1 active admin token');

    const forced = await runOrtoo(['gateway', 'bootstrap', '--name', 'spare', '--force', '--json'], env);
    expect(forced.code).toBe(0);
    expect(JSON.parse(forced.stdout)).toEqual({
      id: expect.any(String),
      name: 'spare',
      role: 'admin',
      token: expect.stringMatching(/^ortoo_/),
    });
    env.ORTOO_TOKEN = token;
  });

  it('bootstraps on PostgreSQL into the schema ORTOO_DATABASE_SCHEMA names, where the gateway looks', async () => {
    const schema = randomSchema('cli_bootstrap');
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    try {
      const run = await runOrtoo(['gateway', 'bootstrap', '--name', 'Bat on PostgreSQL', '--json'], {
        ...env,
        DATABASE_URL: TEST_DATABASE_URL,
        ORTOO_DATABASE_SCHEMA: schema,
      });
      expect(run).toMatchObject({ code: 0, stderr: '' });
      const { rows } = await client.query<{ name: string; role: string }>(
        `SELECT name, role FROM ${schema}.api_tokens`,
      );
      expect(rows).toEqual([{ name: 'Bat on PostgreSQL', role: 'admin' }]);
    } finally {
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    }
  });

  it('starts the gateway, which answers the CLI with the bootstrapped token, and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/ortoo.js'), 'gateway', 'start'], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const started = await waitForOutput(child, /listening on (http:\/\/\S+)/);
      const url = /listening on (http:\/\/\S+)/.exec(started)?.[1] ?? '';
      expect(url).toBe(`http://127.0.0.1:${env.ORTOO_GATEWAY_PORT}`);

      const created = await runOrtoo(
        ['admin', 'members', 'create', 'MN/GOV/9011311', '--name', 'Registry', '--json'],
        {
          ORTOO_URL: url,
          ORTOO_TOKEN: env.ORTOO_TOKEN,
        },
      );
      expect(created.code).toBe(0);
      const tokens = await runOrtoo(['admin', 'tokens', 'list'], {
        ORTOO_URL: url,
        ORTOO_TOKEN: env.ORTOO_TOKEN,
      });
      expect(tokens.stdout).toMatch(/Bat \(first admin\)\s+admin/);

      const meanwhile = await runOrtoo(['gateway', 'bootstrap', '--name', 'late', '--force'], env);
      expect(meanwhile.code).toBe(1);
      expect(meanwhile.stderr).toContain(`A gateway is running at ${url} on the PGlite database`);

      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
  it('archives the audit records past retention to bundles that verify offline, after the gateway stopped', async () => {
    const out = path.join(dir, 'archive');
    const archived = await runOrtoo(
      ['gateway', 'archive-audit', '--out-dir', out, '--older-than-days', '0', '--json'],
      env,
    );
    expect(archived.stderr).toBe('');
    expect(archived.code).toBe(0);
    const { archived: prefixes } = JSON.parse(archived.stdout) as {
      archived: { writer: string; records: number; file: string }[];
    };
    // The bootstrap's chain and the stopped gateway's chain, each up to its final checkpoint.
    expect(prefixes.length).toBeGreaterThanOrEqual(2);
    for (const prefix of prefixes) {
      expect(prefix.records).toBeGreaterThan(0);
      const checked = await runOrtoo(['audit', 'verify-bundle', prefix.file], {});
      expect(checked.stderr).toBe('');
      expect(checked.code).toBe(0);
    }
    const again = await runOrtoo(
      ['gateway', 'archive-audit', '--out-dir', out, '--older-than-days', '0'],
      env,
    );
    expect(again.stdout).toContain('Nothing older than 0 days is ready to archive.');
  });
});
