/**
 * `ortoo ss init | api-key | register | start`, run in-process against a
 * test gateway listening on a free port.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { hashApiKey } from '../../../security-server/src/config';
import { runOrtoo, startListeningGateway, type ListeningGateway } from '../../helpers/cli-runner';
import { seedStandardMembers } from '../../helpers/registry-fixtures';

const MEMBER = 'MN/GOV/7000001';

describe('ortoo ss', () => {
  let gw: ListeningGateway;
  let root: string;
  let anchor: string;

  beforeAll(async () => {
    gw = await startListeningGateway();
    await seedStandardMembers(gw.gateway.store);
    root = mkdtempSync(path.join(tmpdir(), 'ortoo-ss-cli-'));
    anchor = path.join(gw.gateway.certsDir, 'global-conf-signing.pem');
  });
  afterAll(async () => {
    await gw.close();
    rmSync(root, { recursive: true, force: true });
  });

  /** `ortoo ss init` of server `code` of MN/GOV/7000001 in `<root>/<code>`. */
  function init(code: string, ...extra: string[]) {
    return runOrtoo([
      'ss',
      'init',
      path.join(root, code),
      '--server-id',
      `${MEMBER}/${code}`,
      '--gateway-url',
      gw.url,
      '--exchange-url',
      'https://127.0.0.1:4443',
      '--anchor',
      anchor,
      ...extra,
    ]);
  }

  async function registrationToken(code: string): Promise<string> {
    const run = await gw.ortoo(['admin', 'registration-tokens', 'create', `${MEMBER}/${code}`]);
    expect(run.code).toBe(0);
    return run.stdout.split('\n')[0] ?? '';
  }

  const configOf = (code: string) => JSON.parse(readFileSync(path.join(root, code, 'config.json'), 'utf8'));

  it('describes its commands, the server folder and the environment', async () => {
    const help = await runOrtoo(['ss', '--help']);
    expect(help.code).toBe(0);
    for (const command of ['init', 'register', 'api-key', 'start']) {
      expect(help.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    }
    expect(help.stdout).toContain('keys/sign.key, keys/auth.key');
    expect(help.stdout).toContain('ORTOO_SS_PROVIDER_ADDRESS');
    const init = await runOrtoo(['ss', 'init', '--help']);
    for (const option of [
      '--server-id',
      '--gateway-url',
      '--exchange-url',
      '--anchor',
      '--provider-address',
      '--force',
    ]) {
      expect(init.stdout).toContain(option);
    }
  });

  it('init makes the folder once, private keys readable by the owner only', async () => {
    const run = await init('ss1', '--client-port', '18080', '--provider-port', '15500');
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toContain(
      `Created the security server folder of ${MEMBER}/ss1 in ${path.join(root, 'ss1')}`,
    );
    expect(run.stdout).toMatch(/^provider address\s+https:\/\/127\.0\.0\.1:15500$/m);
    expect(run.stdout).toContain(`ortoo ss register ${path.join(root, 'ss1')} --token <token>`);
    expect(statSync(path.join(root, 'ss1/keys/sign.key')).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(root, 'ss1/keys/auth.key')).mode & 0o777).toBe(0o600);
    expect(configOf('ss1')).toMatchObject({ clientProxy: { port: 18080 }, providerProxy: { port: 15500 } });

    const again = await init('ss1');
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^error: Client\.Conflict: .* is already a security server folder/);
  });

  it('init refuses a bad server id (usage), an unreadable anchor and the CA as anchor', async () => {
    const badId = await runOrtoo([
      'ss',
      'init',
      path.join(root, 'x'),
      '--server-id',
      'MN/GOV',
      '--gateway-url',
      gw.url,
      '--exchange-url',
      'https://127.0.0.1:4443',
      '--anchor',
      anchor,
    ]);
    expect(badId.stderr).toContain('Invalid securityServer identifier "MN/GOV"');
    expect(badId.code).toBe(2);
    const noAnchor = await init('x', '--anchor', path.join(root, 'nothing.pem'));
    expect(noAnchor.code).toBe(1);
    expect(noAnchor.stderr).toContain(
      `error: Cannot read --anchor ${path.join(root, 'nothing.pem')}: no such file`,
    );
    const caAnchor = await init('x', '--anchor', path.join(gw.gateway.certsDir, 'ca.pem'));
    expect(caAnchor.code).toBe(1);
    expect(caAnchor.stderr).toContain('The trust anchor is a CA certificate');
    expect(existsSync(path.join(root, 'x', 'keys'))).toBe(false);
  });

  it('api-key prints a key once and keeps only its hash; again, replaces it', async () => {
    const first = await runOrtoo([
      'ss',
      'api-key',
      path.join(root, 'ss1'),
      '--name',
      'portal',
      '--client',
      `${MEMBER}/e-services`,
    ]);
    expect(first).toMatchObject({ code: 0, stderr: '' });
    const [key, note] = first.stdout.split('\n');
    expect(key).toMatch(/^ortoo_ss_[A-Za-z0-9_-]{43}$/);
    expect(note).toContain('shown only this once');
    expect(readFileSync(path.join(root, 'ss1/config.json'), 'utf8')).not.toContain(key);
    expect(configOf('ss1').localSystems).toEqual([
      { name: 'portal', apiKeyHash: hashApiKey(key!), clients: [`${MEMBER}/e-services`] },
    ]);

    const second = await runOrtoo([
      'ss',
      'api-key',
      path.join(root, 'ss1'),
      '--name',
      'portal',
      '--client',
      `${MEMBER}/e-services`,
      `${MEMBER}/tax`,
      '--json',
    ]);
    expect(second.code).toBe(0);
    const printed = JSON.parse(second.stdout) as { apiKey: string; clients: string[] };
    expect(printed.clients).toEqual([`${MEMBER}/e-services`, `${MEMBER}/tax`]);
    expect(configOf('ss1').localSystems).toEqual([
      { name: 'portal', apiKeyHash: hashApiKey(printed.apiKey), clients: printed.clients },
    ]);
  });

  it("api-key refuses another member's subsystem (leaving config.json as it was) and a malformed one", async () => {
    const before = readFileSync(path.join(root, 'ss1/config.json'), 'utf8');
    const foreign = await runOrtoo([
      'ss',
      'api-key',
      path.join(root, 'ss1'),
      '--name',
      'intruder',
      '--client',
      'MN/GOV/9011311/civil-registry',
    ]);
    expect(foreign.code).toBe(1);
    expect(foreign.stderr).toContain(
      'localSystems[1].clients[0] "MN/GOV/9011311/civil-registry" is not a subsystem of',
    );
    expect(foreign.stdout).toBe('');
    expect(readFileSync(path.join(root, 'ss1/config.json'), 'utf8')).toBe(before);
    const malformed = await runOrtoo([
      'ss',
      'api-key',
      path.join(root, 'ss1'),
      '--name',
      'x',
      '--client',
      MEMBER,
    ]);
    expect(malformed.code).toBe(2);
  });

  it('start refuses a folder that is not registered yet, or a bad setting, saying what to do', async () => {
    const unregistered = await runOrtoo(['ss', 'start', path.join(root, 'ss1')]);
    expect(unregistered.code).toBe(1);
    expect(unregistered.stderr).toMatch(
      /^error: Server\.InvalidConfiguration: certs\/sign\.pem in .* missing: run `ortoo ss register .* --token …` first/,
    );
    const badPort = await runOrtoo(['ss', 'start', path.join(root, 'ss1')], {
      ORTOO_SS_PROVIDER_PORT: 'high',
    });
    expect(badPort.code).toBe(1);
    expect(badPort.stderr).toContain('providerProxy.port (env ORTOO_SS_PROVIDER_PORT) must be an integer');
  });

  it('register submits with the token, and fetches the certificates once the administrator approves', async () => {
    const dir = path.join(root, 'ss1');
    const noToken = await runOrtoo(['ss', 'register', dir]);
    expect(noToken.code).toBe(1);
    expect(noToken.stderr).toContain('No registration is pending');

    const submitted = await runOrtoo([
      'ss',
      'register',
      dir,
      '--token',
      await registrationToken('ss1'),
      '--no-wait',
    ]);
    expect(submitted).toMatchObject({ code: 0, stderr: '' });
    const id = /ortoo admin registrations approve (\S+)\)/.exec(submitted.stdout)?.[1];
    expect(id).toEqual(expect.stringMatching(/^[0-9a-f-]{36}$/));

    expect((await gw.ortoo(['admin', 'registrations', 'approve', id!])).code).toBe(0);
    const fetched = await runOrtoo(['ss', 'register', dir, '--json']);
    expect(fetched).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(fetched.stdout)).toEqual({
      status: 'approved',
      id,
      serverId: `${MEMBER}/ss1`,
      signCertificate: expect.any(String),
      authCertificate: expect.any(String),
      notAfter: expect.any(String),
    });
    expect(existsSync(path.join(dir, 'certs/sign.pem'))).toBe(true);
    expect(existsSync(path.join(dir, 'registration.json'))).toBe(false);
  });

  it('register that times out says how to resume, and resuming needs no token', async () => {
    expect((await init('ss2')).code).toBe(0);
    const dir = path.join(root, 'ss2');
    const waited = await runOrtoo([
      'ss',
      'register',
      dir,
      '--token',
      await registrationToken('ss2'),
      '--timeout',
      '1',
    ]);
    expect(waited.code).toBe(1);
    expect(waited.stdout).toContain(`Waiting for the gateway administrator to approve registration`);
    expect(waited.stderr).toMatch(
      /still awaits the gateway administrator's approval: run `ortoo ss register .*` again/,
    );
    const { id } = JSON.parse(readFileSync(path.join(dir, 'registration.json'), 'utf8')) as { id: string };

    expect((await gw.ortoo(['admin', 'registrations', 'approve', id])).code).toBe(0);
    const resumed = await runOrtoo(['ss', 'register', dir]);
    expect(resumed).toMatchObject({ code: 0, stderr: '' });
    expect(resumed.stdout).toContain(
      `Registered ${MEMBER}/ss2: its certificates are in ${path.join(dir, 'certs')}.`,
    );
    expect(resumed.stdout).toMatch(/^sign certificate\s+\S{43}$/m);
  });
});
