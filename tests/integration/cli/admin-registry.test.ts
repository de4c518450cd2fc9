import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createCsr, generateKeyPair } from '../../../core/src';
import { runOrtoo, startListeningGateway, type ListeningGateway } from '../../helpers/cli-runner';
import { STANDARD_MEMBERS } from '../../helpers/registry-fixtures';

const PROVIDER_MEMBER = STANDARD_MEMBERS.registry.id;
const CLIENT_MEMBER = STANDARD_MEMBERS.nation.id;
const PROVIDER = `${PROVIDER_MEMBER}/civil-registry`;
const CLIENT = `${CLIENT_MEMBER}/e-services`;
const SERVICE = `${PROVIDER}/person`;
const GROUP = 'MN/health-agencies';
const SERVER = `${PROVIDER_MEMBER}/ss1`;

/** The JSON an `--json` run printed. */
function json<T = Record<string, unknown>>(run: { code: number; stdout: string; stderr: string }): T {
  expect(run).toMatchObject({ code: 0, stderr: '' });
  return JSON.parse(run.stdout) as T;
}

/**
 * The registry set up from scratch through the CLI alone, as an administrator
 * would: members, subsystems, a service with its schemas, a group, access
 * rights, a security server and its registration, certificates, the global
 * configuration, API tokens. Each step builds on the one before.
 */
describe('ortoo admin, across the registry', () => {
  let gw: ListeningGateway;
  let dir: string;
  let ortoo: ListeningGateway['ortoo'];

  beforeAll(async () => {
    gw = await startListeningGateway();
    ortoo = gw.ortoo;
    dir = mkdtempSync(path.join(tmpdir(), 'ortoo-cli-'));
    writeFileSync(
      path.join(dir, 'person-request.json'),
      JSON.stringify({
        type: 'object',
        required: ['registerNumber'],
        properties: { registerNumber: { type: 'string' } },
      }),
    );
    writeFileSync(path.join(dir, 'person-response.json'), JSON.stringify({ type: 'object' }));
    writeFileSync(path.join(dir, 'broken.json'), '{"type": ');
    for (const { id, name } of [STANDARD_MEMBERS.registry, STANDARD_MEMBERS.nation]) {
      json(await ortoo(['admin', 'members', 'create', id, '--name', name, '--json']));
    }
  });
  afterAll(async () => {
    await gw.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates, lists, shows and deletes subsystems', async () => {
    const created = await ortoo(['admin', 'subsystems', 'create', PROVIDER, '--name', 'Civil registry']);
    expect(created.stdout).toContain(`Created subsystem ${PROVIDER}.`);
    json(await ortoo(['admin', 'subsystems', 'create', CLIENT, '--json']));
    json(await ortoo(['admin', 'subsystems', 'create', `${CLIENT_MEMBER}/scratch`, '--json']));

    const mine = json<{ items: { id: string }[] }>(
      await ortoo(['admin', 'subsystems', 'list', '--member', PROVIDER_MEMBER, '--json']),
    );
    expect(mine.items.map((subsystem) => subsystem.id)).toEqual([PROVIDER]);
    expect((await ortoo(['admin', 'subsystems', 'get', PROVIDER])).stdout).toMatch(/^name\s+Civil registry/m);
    expect((await ortoo(['admin', 'subsystems', 'delete', `${CLIENT_MEMBER}/scratch`])).stdout).toBe(
      `Deleted subsystem ${CLIENT_MEMBER}/scratch.\n`,
    );
  });

  it('publishes a service from schema files, shows its versions, and changes it', async () => {
    const files = ['--request-schema', path.join(dir, 'person-request.json')];
    files.push('--response-schema', path.join(dir, 'person-response.json'));
    const created = await ortoo([
      'admin',
      'services',
      'create',
      SERVICE,
      '--version',
      'v1',
      '--title',
      'Person',
      ...files,
      '--timeout-ms',
      '5000',
      '--max-attempts',
      '3',
      '--data-subject-pointer',
      '/registerNumber',
    ]);
    expect(created.code).toBe(0);
    expect(created.stdout).toContain(`Created service ${SERVICE} v1.`);
    expect(created.stdout).toMatch(/^timeoutMs\s+5000/m);
    expect(created.stdout).not.toContain('registerNumber"'); // the schemas are left to --json

    const shown = json(await ortoo(['admin', 'services', 'get', SERVICE, '--version', 'v1', '--json']));
    expect(shown).toMatchObject({
      title: 'Person',
      timeoutMs: 5000,
      retryPolicy: { maxAttempts: 3, backoffMs: 1000 },
      dataSubjectPointer: '/registerNumber',
      enabled: true,
      requestSchema: { required: ['registerNumber'] },
    });
    const versions = await ortoo(['admin', 'services', 'get', SERVICE]);
    expect(versions.stdout).toMatch(/^MN\/GOV\/9011311\/civil-registry\/person\s+v1\s+Person/m);

    const disabled = json(
      await ortoo([
        'admin',
        'services',
        'update',
        SERVICE,
        '--version',
        'v1',
        '--disable',
        '--backoff-ms',
        '0',
        '--json',
      ]),
    );
    expect(disabled).toMatchObject({ enabled: false, retryPolicy: { maxAttempts: 3, backoffMs: 0 } });
    const cleared = json(
      await ortoo([
        'admin',
        'services',
        'update',
        SERVICE,
        '--version',
        'v1',
        '--no-data-subject-pointer',
        '--enable',
        '--request-media-type',
        'application/PDF',
        '--request-media-type',
        'image/png',
        '--json',
      ]),
    );
    // Declared media types are kept by their essence, lower case, in order.
    expect(cleared).toMatchObject({ enabled: true, requestMediaTypes: ['application/pdf', 'image/png'] });
    expect(cleared.dataSubjectPointer).toBeUndefined();

    const listed = json<{ items: { id: string }[] }>(
      await ortoo(['admin', 'services', 'list', '--provider', PROVIDER, '--json']),
    );
    expect(listed.items.map((service) => service.id)).toEqual([SERVICE]);
  });

  it('refuses an update that changes nothing, as a usage error', async () => {
    const run = await ortoo(['admin', 'services', 'update', SERVICE, '--version', 'v1']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('nothing to change');
  });

  it('says which schema file it cannot use', async () => {
    const base = ['admin', 'services', 'create', `${PROVIDER}/other`, '--version', 'v1', '--title', 'Other'];
    /** `base` with these two files of `dir` as the schemas. */
    const createWith = (requestFile: string, responseFile: string) =>
      ortoo([
        ...base,
        '--request-schema',
        path.join(dir, requestFile),
        '--response-schema',
        path.join(dir, responseFile),
      ]);
    const missing = await createWith('nope.json', 'person-response.json');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(
      `error: Cannot read --request-schema ${path.join(dir, 'nope.json')}: no such file\n`,
    );
    const broken = await createWith('person-request.json', 'broken.json');
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain(
      `error: --response-schema ${path.join(dir, 'broken.json')} is not valid JSON`,
    );
  });

  it('publishes a service from an OpenAPI document with --openapi, and refuses it beside the schemas', async () => {
    const document = path.resolve(__dirname, '../../../schemas/services/civil-registry/records.openapi.yaml');
    const base = [
      'admin',
      'services',
      'create',
      `${PROVIDER}/records`,
      '--version',
      'v1',
      '--title',
      'Records',
    ];
    const created = await ortoo([
      ...base,
      '--openapi',
      document,
      '--data-subject-pointer',
      'path:registerNumber',
      '--json',
    ]);
    expect(created.code).toBe(0);
    expect(json(created)).toMatchObject({
      endpoints: [
        { method: 'GET', path: '/persons/{registerNumber}' },
        { method: 'GET', path: '/persons/{registerNumber}/addresses' },
        { method: 'POST', path: '/certificates' },
      ],
      dataSubjectPointer: 'path:registerNumber',
    });
    const both = await ortoo([
      ...base,
      '--openapi',
      document,
      '--request-schema',
      path.join(dir, 'person-request.json'),
    ]);
    expect(both.code).toBe(1);
    expect(both.stderr).toContain('Give either --openapi, or both --request-schema and --response-schema');
    // Gone again: the tests after this one count the registry's services.
    expect(
      (await ortoo(['admin', 'services', 'delete', `${PROVIDER}/records`, '--version', 'v1'])).code,
    ).toBe(0);
  });

  it('manages a global group and its members', async () => {
    const created = await ortoo(['admin', 'groups', 'create', GROUP, '--description', 'Health agencies']);
    expect(created.stdout).toContain(`Created group ${GROUP}.`);
    expect((await ortoo(['admin', 'groups', 'add-member', GROUP, CLIENT])).stdout).toContain(
      `Added ${CLIENT} in group ${GROUP}.`,
    );
    expect(json(await ortoo(['admin', 'groups', 'get', GROUP, '--json']))).toMatchObject({
      members: [CLIENT],
    });
    expect((await ortoo(['admin', 'groups', 'list'])).stdout).toMatch(
      /^MN\/health-agencies\s+Health agencies\s+1\s+\d{4}-/m,
    );
    expect((await ortoo(['admin', 'groups', 'remove-member', GROUP, CLIENT])).stdout).toBe(
      `Removed ${CLIENT} from group ${GROUP}.\n`,
    );
    expect(json(await ortoo(['admin', 'groups', 'get', GROUP, '--json']))).toMatchObject({ members: [] });
  });

  it('grants access to a client and to a group, lists and withdraws it', async () => {
    const toClient = json<{ id: string }>(
      await ortoo(['admin', 'access', 'grant', SERVICE, '--client', CLIENT, '--json']),
    );
    const again = await ortoo(['admin', 'access', 'grant', SERVICE, '--client', CLIENT]);
    expect(again.stdout).toContain('already exists, unchanged');
    const toGroup = await ortoo(['admin', 'access', 'grant', SERVICE, '--group', GROUP]);
    expect(toGroup.stdout).toContain(`Created access right of group ${GROUP} to ${SERVICE}.`);

    const grantEndpoint = (endpoint: string) =>
      ortoo(['admin', 'access', 'grant', SERVICE, '--client', CLIENT, '--endpoint', endpoint]);
    expect((await grantEndpoint('GET /persons/%7Eme/*')).stdout).toContain(
      `Created access right of ${CLIENT} to GET /persons/~me/* of ${SERVICE}.`,
    );
    const badEndpoint = await grantEndpoint('GET /a/../b');
    expect(badEndpoint.code).toBe(2);
    expect(badEndpoint.stderr).toContain('dot-segment');

    const table = await ortoo(['admin', 'access', 'list', '--service', SERVICE]);
    expect(table.stdout).toMatch(
      new RegExp(`^${toClient.id}\\s+${SERVICE}\\s+${CLIENT}\\s+all\\s+\\d{4}-`, 'm'),
    );
    expect(table.stdout).toMatch(
      new RegExp(`^\\d+\\s+${SERVICE}\\s+${CLIENT}\\s+GET /persons/~me/\\*\\s+\\d{4}-`, 'm'),
    );
    expect(table.stdout).toContain(`group ${GROUP}`);
    const ofClient = json<{ items: { id: string; endpoint?: unknown }[] }>(
      await ortoo(['admin', 'access', 'list', '--client', CLIENT, '--json']),
    );
    expect(ofClient.items.map((right) => right.endpoint)).toEqual([
      undefined,
      { method: 'GET', path: '/persons/~me/*' },
    ]);

    for (const right of ofClient.items) {
      expect((await ortoo(['admin', 'access', 'revoke-right', right.id])).code).toBe(0);
    }
    const left = json<{ items: unknown[] }>(
      await ortoo(['admin', 'access', 'list', '--service', SERVICE, '--json']),
    );
    expect(left.items).toHaveLength(1);
  });

  it('refuses to delete what is still referred to, saying so', async () => {
    const run = await ortoo(['admin', 'subsystems', 'delete', PROVIDER]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: Client\.Conflict: /);
  });

  it('registers a security server and takes it through registration to certificates', async () => {
    const created = await ortoo([
      'admin',
      'servers',
      'create',
      SERVER,
      '--address',
      'https://ss1.civil-registry.example:5500',
    ]);
    expect(created.stdout).toContain(`Created security server ${SERVER}.`);
    const moved = json(
      await ortoo([
        'admin',
        'servers',
        'update',
        SERVER,
        '--address',
        'https://ss1.rd.gov.mn:5500',
        '--json',
      ]),
    );
    expect(moved).toMatchObject({ address: 'https://ss1.rd.gov.mn:5500', ownerId: PROVIDER_MEMBER });
    expect((await ortoo(['admin', 'servers', 'list', '--owner', PROVIDER_MEMBER])).stdout).toMatch(
      /^MN\/GOV\/9011311\/ss1\s+https:\/\/ss1\.rd\.gov\.mn:5500\s+active/m,
    );

    const issued = await ortoo(['admin', 'registration-tokens', 'create', SERVER]);
    expect(issued.code).toBe(0);
    const [token, note] = issued.stdout.split('\n');
    expect(note).toContain('shown only this once');

    // The security server's side: its own keys and CSRs, submitted with the one-time token.
    const keyPair = generateKeyPair();
    const submitted = await fetch(`${gw.url}/v1/registrations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        token,
        securityServerId: SERVER,
        address: 'https://ss1.rd.gov.mn:5500',
        signCsr: createCsr({ subject: { commonName: SERVER }, keyPair }),
        authCsr: createCsr({
          subject: { commonName: SERVER },
          keyPair: generateKeyPair(),
          dnsNames: ['ss1.rd.gov.mn'],
        }),
      }),
    });
    expect(submitted.status).toBe(202);
    const { id } = (await submitted.json()) as { id: string };

    const pending = await ortoo(['admin', 'registrations', 'list', '--status', 'pending']);
    expect(pending.stdout).toMatch(
      new RegExp(`^${id}\\s+${SERVER}\\s+https://ss1\\.rd\\.gov\\.mn:5500\\s+pending`, 'm'),
    );
    expect(json(await ortoo(['admin', 'registrations', 'get', id, '--json']))).toMatchObject({
      status: 'pending',
    });

    const approved = await ortoo(['admin', 'registrations', 'approve', id]);
    expect(approved.stdout).toContain(`Approved registration ${id} of ${SERVER}.`);
    const registration = json<{ signCertificateSerial: string; authCertificateSerial: string }>(
      await ortoo(['admin', 'registrations', 'get', id, '--json']),
    );

    const certificates = json<{ items: { serial: string }[] }>(
      await ortoo(['admin', 'certificates', 'list', '--server', SERVER, '--json']),
    );
    expect(certificates.items.map((certificate) => certificate.serial).sort()).toEqual(
      [registration.signCertificateSerial, registration.authCertificateSerial].sort(),
    );
    const shown = await ortoo(['admin', 'certificates', 'get', registration.signCertificateSerial]);
    expect(shown.stdout).toMatch(/^kind\s+sign/m);
    expect(shown.stdout).not.toContain('BEGIN CERTIFICATE');
    expect(
      json(await ortoo(['admin', 'certificates', 'get', registration.signCertificateSerial, '--json'])),
    ).toMatchObject({ pem: expect.stringContaining('BEGIN CERTIFICATE') });

    const revoked = await ortoo([
      'admin',
      'certificates',
      'revoke',
      registration.signCertificateSerial,
      '--reason',
      'key compromise',
    ]);
    expect(revoked.stdout).toContain(`Revoked certificate ${registration.signCertificateSerial}.`);
    const revokedList = json<{ items: unknown[] }>(
      await ortoo(['admin', 'certificates', 'list', '--status', 'revoked', '--json']),
    );
    expect(revokedList.items).toHaveLength(1);
  });

  it('rejects a registration with a reason', async () => {
    const server = `${PROVIDER_MEMBER}/ss2`;
    json(
      await ortoo([
        'admin',
        'servers',
        'create',
        server,
        '--address',
        'https://ss2.rd.gov.mn:5500',
        '--json',
      ]),
    );
    const { token } = json<{ token: string }>(
      await ortoo(['admin', 'registration-tokens', 'create', server, '--json']),
    );
    const submitted = await fetch(`${gw.url}/v1/registrations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        token,
        securityServerId: server,
        address: 'https://ss2.rd.gov.mn:5500',
        signCsr: createCsr({ subject: { commonName: server }, keyPair: generateKeyPair() }),
        authCsr: createCsr({ subject: { commonName: server }, keyPair: generateKeyPair() }),
      }),
    });
    const { id } = (await submitted.json()) as { id: string };
    const rejected = await ortoo(['admin', 'registrations', 'reject', id, '--reason', 'unknown operator']);
    expect(rejected.code).toBe(0);
    expect(rejected.stdout).toContain(`Rejected registration ${id}`);
    expect(json(await ortoo(['admin', 'registrations', 'get', id, '--json']))).toMatchObject({
      status: 'rejected',
      decisionReason: 'unknown operator',
    });
  });

  it('revokes a security server', async () => {
    const run = await ortoo([
      'admin',
      'servers',
      'revoke',
      `${PROVIDER_MEMBER}/ss2`,
      '--reason',
      'decommissioned',
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Revoked security server ${PROVIDER_MEMBER}/ss2.`);
    expect(json(await ortoo(['admin', 'servers', 'get', `${PROVIDER_MEMBER}/ss2`, '--json']))).toMatchObject({
      status: 'revoked',
    });
  });

  it('summarises the signed global configuration, and prints it decoded with --json', async () => {
    const summary = await ortoo(['admin', 'global-conf', 'show']);
    expect(summary.code).toBe(0);
    expect(summary.stdout).toMatch(/^instance\s+MN/m);
    expect(summary.stdout).toMatch(/^members\s+2\s*$/m);
    expect(summary.stdout).toMatch(/^services\s+1\s*$/m);
    expect(summary.stdout).toMatch(/^expires at\s+\d{4}-/m);

    const conf = json<{ version: number; members: { id: string }[]; services: { id: string }[] }>(
      await ortoo(['admin', 'global-conf', 'show', '--json']),
    );
    expect(conf.members.map((member) => member.id).sort()).toEqual([CLIENT_MEMBER, PROVIDER_MEMBER]);
    expect(conf.services.map((service) => service.id)).toEqual([SERVICE]);
    expect(conf.version).toEqual(expect.any(Number));
  });

  it('creates an API token shown once, lists and revokes it', async () => {
    const created = await ortoo(['admin', 'tokens', 'create', '--name', 'auditor-bat', '--role', 'auditor']);
    expect(created.code).toBe(0);
    const [token, note] = created.stdout.split('\n');
    expect(token).toMatch(/^ortoo_/);
    expect(note).toContain('shown only this once');
    const id = /API token (\S+) for/.exec(note ?? '')?.[1] ?? '';

    const listed = await ortoo(['admin', 'tokens', 'list']);
    expect(listed.stdout).toMatch(new RegExp(`^${id}\\s+auditor-bat\\s+auditor`, 'm'));
    expect(listed.stdout).not.toContain(token);
    // The new auditor token reads, and stops working once revoked.
    const asNew = { ORTOO_URL: gw.url, ORTOO_TOKEN: token };
    expect(await runOrtoo(['admin', 'members', 'list'], asNew)).toMatchObject({ code: 0 });
    expect((await ortoo(['admin', 'tokens', 'revoke', id])).stdout).toBe(`Revoked API token ${id}.\n`);
    expect(await runOrtoo(['admin', 'members', 'list'], asNew)).toMatchObject({
      code: 1,
      stderr: 'error: Client.Unauthenticated: A valid bearer token is required\n',
    });
  });

  it('refuses a role it does not know, as a usage error', async () => {
    const run = await ortoo(['admin', 'tokens', 'create', '--name', 'x', '--role', 'root']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Allowed choices are admin, auditor');
  });
});
