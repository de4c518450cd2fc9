import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Command } from 'commander';
import { buildProgram } from '../../../cli/src/main';
import { runOrtoo } from '../../helpers/cli-runner';

const ROOT = path.resolve(__dirname, '../../..');

/** Every area of `ortoo admin`, as the README and the brief name them. */
const ADMIN_AREAS = [
  'members',
  'subsystems',
  'servers',
  'services',
  'access',
  'groups',
  'registration-tokens',
  'registrations',
  'certificates',
  'tokens',
  'global-conf',
];

/** A port nobody listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function allCommands(command: Command): Command[] {
  return [command, ...command.commands.flatMap(allCommands)];
}

describe('the ortoo command line', () => {
  it('runs as a binary and lists every admin area in its help', async () => {
    const run = promisify(execFile);
    const top = await run(process.execPath, [path.join(ROOT, 'bin/ortoo.js'), '--help'], { cwd: ROOT });
    expect(top.stdout).toContain('admin');
    expect(top.stdout).toContain('gateway');
    const admin = await run(process.execPath, [path.join(ROOT, 'bin/ortoo.js'), 'admin', '--help'], {
      cwd: ROOT,
    });
    for (const area of ADMIN_AREAS) expect(admin.stdout).toMatch(new RegExp(`^  ${area} `, 'm'));
  });

  it('describes every command and every option', () => {
    const io = { stdout: { write: () => true }, stderr: { write: () => true }, env: {} };
    for (const command of allCommands(buildProgram(io))) {
      expect({ command: command.name(), description: command.description() }).toEqual({
        command: command.name(),
        description: expect.stringMatching(/\S/),
      });
      for (const option of command.options) {
        expect({ option: `${command.name()} ${option.flags}`, description: option.description }).toEqual({
          option: `${command.name()} ${option.flags}`,
          description: expect.stringMatching(/\S/),
        });
      }
    }
  });

  it('prints help for a command with exit code 0', async () => {
    const run = await runOrtoo(['admin', 'members', 'create', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('--name <name>');
  });

  it('refuses a missing required option as a usage error (exit 2)', async () => {
    const run = await runOrtoo(['admin', 'members', 'create', 'MN/GOV/9011311']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("required option '--name <name>' not specified");
    expect(run.stdout).toBe('');
  });

  it('refuses a malformed identifier before calling the gateway (exit 2)', async () => {
    const run = await runOrtoo(['admin', 'members', 'get', 'MN/GOV'], { ORTOO_URL: 'http://127.0.0.1:1' });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Invalid member identifier "MN/GOV"');
  });

  it('refuses an unknown command, a bad number and a missing grantee as usage errors', async () => {
    expect((await runOrtoo(['admin', 'nothing'])).code).toBe(2);
    expect((await runOrtoo(['admin', 'members', 'list', '--limit', 'many'])).code).toBe(2);
    const grant = await runOrtoo(['admin', 'access', 'grant', 'MN/GOV/1/a/b']);
    expect(grant.code).toBe(2);
    expect(grant.stderr).toContain('--client <id> or --group <id>');
    const both = await runOrtoo([
      'admin',
      'access',
      'grant',
      'MN/GOV/1/a/b',
      '--client',
      'MN/GOV/2/c',
      '--group',
      'MN/g',
    ]);
    expect(both.code).toBe(2);
  });

  it('shows the usage of a command group given no action (exit 2)', async () => {
    const run = await runOrtoo(['admin', 'members']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Usage: ortoo admin members');
  });

  it('names the URL it cannot reach, without a stack trace (exit 1)', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const run = await runOrtoo(['admin', 'members', 'list', '--url', url]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `error: Cannot reach the gateway at ${url} (connection refused). Is it running? Give its address with --url or ORTOO_URL.\n`,
    );
  });

  it('refuses a URL that is not http(s) (exit 1)', async () => {
    const run = await runOrtoo(['admin', 'members', 'list'], { ORTOO_URL: 'ftp://gateway' });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('Invalid gateway URL "ftp://gateway"');
  });
});
