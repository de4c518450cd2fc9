import { runCli } from '../../../cli/src/main';
import { runOrtoo, startListeningGateway, type ListeningGateway } from '../../helpers/cli-runner';

describe('ortoo admin members', () => {
  let gw: ListeningGateway;

  beforeAll(async () => {
    gw = await startListeningGateway();
  });
  afterAll(() => gw.close());

  it('creates a member and says so in a table', async () => {
    const run = await gw.ortoo([
      'admin',
      'members',
      'create',
      'MN/GOV/9011311',
      '--name',
      'Улсын бүртгэлийн ерөнхий газар',
    ]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toContain('Created member MN/GOV/9011311.');
    expect(run.stdout).toMatch(/^name\s+Улсын бүртгэлийн ерөнхий газар$/m);
    expect(run.stdout).toMatch(/^status\s+active/m);
  });

  it('says when the same member already exists', async () => {
    const run = await gw.ortoo([
      'admin',
      'members',
      'create',
      'MN/GOV/9011311',
      '--name',
      'Улсын бүртгэлийн ерөнхий газар',
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Member MN/GOV/9011311 already exists, unchanged.');
  });

  it('prints the API answer as JSON with --json', async () => {
    const run = await gw.ortoo([
      'admin',
      'members',
      'create',
      'MN/GOV/5001',
      '--name',
      'Tax authority',
      '--json',
    ]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      id: 'MN/GOV/5001',
      name: 'Tax authority',
      status: 'active',
    });

    const get = await gw.ortoo(['admin', '--json', 'members', 'get', 'MN/GOV/5001']);
    expect(JSON.parse(get.stdout)).toMatchObject({
      id: 'MN/GOV/5001',
      memberClass: 'GOV',
      memberCode: '5001',
    });
  });

  it('lists members as a table, and every page of them as JSON', async () => {
    for (const code of ['7001', '7002', '7003']) {
      expect(
        (await gw.ortoo(['admin', 'members', 'create', `MN/COM/${code}`, '--name', `Company ${code}`])).code,
      ).toBe(0);
    }
    const table = await gw.ortoo(['admin', 'members', 'list']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^ID\s+NAME\s+STATUS\s+CREATED\s*$/m);
    expect(table.stdout).toMatch(/^MN\/COM\/7002\s+Company 7002\s+active/m);

    const all = JSON.parse((await gw.ortoo(['admin', 'members', 'list', '--json'])).stdout) as {
      items: { id: string }[];
      nextCursor?: string;
    };
    expect(all.items.map((member) => member.id)).toEqual(
      expect.arrayContaining(['MN/GOV/9011311', 'MN/GOV/5001', 'MN/COM/7001', 'MN/COM/7002', 'MN/COM/7003']),
    );
    expect(all.nextCursor).toBeUndefined();
  });

  it('follows every page, or prints one page with --limit and where the next starts', async () => {
    const total = (
      JSON.parse((await gw.ortoo(['admin', 'members', 'list', '--json'])).stdout) as { items: unknown[] }
    ).items.length;
    // A gateway with pages of two, so that following the cursors takes several requests.
    const requested: URL[] = [];
    const smallPages: typeof fetch = (input, init) => {
      const url = new URL(String(input));
      url.searchParams.set('limit', '2');
      requested.push(url);
      return fetch(url, init);
    };
    let stdout = '';
    const code = await runCli(['admin', 'members', 'list', '--json'], {
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: () => true },
      env: { ...gw.env, ORTOO_URL: `${gw.url}/` },
      fetch: smallPages,
    });
    expect(code).toBe(0);
    expect((JSON.parse(stdout) as { items: unknown[] }).items).toHaveLength(total);
    expect(requested).toHaveLength(Math.ceil(total / 2));
    expect(requested[0]?.searchParams.get('cursor')).toBeNull();
    expect(requested[1]?.searchParams.get('cursor')).toEqual(expect.any(String));

    const first = JSON.parse(
      (await gw.ortoo(['admin', 'members', 'list', '--limit', '2', '--json'])).stdout,
    ) as {
      items: { id: string }[];
      nextCursor: string;
    };
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = JSON.parse(
      (await gw.ortoo(['admin', 'members', 'list', '--limit', '2', '--cursor', first.nextCursor, '--json']))
        .stdout,
    ) as { items: { id: string }[] };
    expect(second.items).toHaveLength(2);
    expect(second.items[0]?.id).not.toBe(first.items[0]?.id);

    const human = await gw.ortoo(['admin', 'members', 'list', '--limit', '2']);
    expect(human.stdout).toContain(`More members: add --cursor ${first.nextCursor}`);
  });

  it('updates a name and revokes a member', async () => {
    const update = await gw.ortoo([
      'admin',
      'members',
      'update',
      'MN/COM/7001',
      '--name',
      'Company 7001 LLC',
    ]);
    expect(update.code).toBe(0);
    expect(update.stdout).toContain('Company 7001 LLC');

    const revoke = await gw.ortoo(['admin', 'members', 'revoke', 'MN/COM/7002', '--reason', 'dissolved']);
    expect(revoke.code).toBe(0);
    expect(revoke.stdout).toContain('Revoked member MN/COM/7002.');
    const get = JSON.parse((await gw.ortoo(['admin', 'members', 'get', 'MN/COM/7002', '--json'])).stdout);
    expect(get).toMatchObject({ status: 'revoked', revocationReason: 'dissolved' });
  });

  it('deletes a member', async () => {
    const run = await gw.ortoo(['admin', 'members', 'delete', 'MN/COM/7003']);
    expect(run).toMatchObject({ code: 0, stdout: 'Deleted member MN/COM/7003.\n' });
    expect((await gw.ortoo(['admin', 'members', 'get', 'MN/COM/7003'])).code).toBe(1);
  });

  it('reports an API error as its type and message on stderr, exit 1', async () => {
    const run = await gw.ortoo(['admin', 'members', 'get', 'MN/GOV/404404']);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe('error: Client.NotFound: No member MN/GOV/404404\n');
  });

  it('refuses a different member under an existing id with Client.Conflict', async () => {
    const run = await gw.ortoo(['admin', 'members', 'create', 'MN/GOV/5001', '--name', 'Someone else']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: Client\.Conflict: /);
  });

  it('names the JSON pointer of each field a schema violation is about', async () => {
    const run = await gw.ortoo(['admin', 'members', 'update', 'MN/GOV/5001', '--name', 'x'.repeat(2000)]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: Client\.SchemaViolation: .*\n {2}\/name: /);
  });

  it('tells an auditor that changes need an admin, and a caller without a token how to give one', async () => {
    const auditor = await runOrtoo(['admin', 'members', 'delete', 'MN/GOV/5001'], gw.auditorEnv);
    expect(auditor.code).toBe(1);
    expect(auditor.stderr).toMatch(/^error: Client\.Forbidden: /);
    expect((await runOrtoo(['admin', 'members', 'list'], gw.auditorEnv)).code).toBe(0);

    const anonymous = await runOrtoo(['admin', 'members', 'list', '--url', gw.url]);
    expect(anonymous.code).toBe(1);
    expect(anonymous.stderr).toBe(
      'error: Client.Unauthenticated: A valid bearer token is required\nNo API token given: pass --token or set ORTOO_TOKEN.\n',
    );
  });

  it('takes --url and --token instead of the environment', async () => {
    const token = gw.env.ORTOO_TOKEN ?? '';
    const run = await runOrtoo([
      'admin',
      'members',
      'get',
      'MN/GOV/5001',
      '--url',
      gw.url,
      '--token',
      token,
      '--json',
    ]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ id: 'MN/GOV/5001' });
  });
});
