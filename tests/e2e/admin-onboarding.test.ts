/**
 * The administrator's day, from the CLI alone: a gateway started with
 * `ortoo gateway start`, three agencies brought onto the network, their
 * security servers registered from their own CSRs, a service published from
 * schema files and access granted — and the signed global configuration a
 * security server would fetch shows all of it, and a revocation at once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  canonicalJson,
  createCsr,
  generateKeyPair,
  parseCertificate,
  sha256,
  verifyGlobalConf,
  type GlobalConf,
} from '../../core/src';
import { runOrtoo, type CliRun } from '../helpers/cli-runner';
import { gatewayProcessEnv, stopProcess, waitForOutput } from '../helpers/processes';

const ROOT = path.resolve(__dirname, '../..');

const AGENCIES = [
  { member: 'MN/GOV/9011311', name: 'Улсын бүртгэлийн ерөнхий газар', subsystem: 'civil-registry' },
  { member: 'MN/GOV/5011234', name: 'Татварын ерөнхий газар', subsystem: 'tax' },
  { member: 'MN/GOV/7000001', name: 'Цахим Үндэстэн', subsystem: 'e-services' },
] as const;

const PERSON_REQUEST = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  additionalProperties: false,
  required: ['registerNumber'],
  properties: { registerNumber: { type: 'string', pattern: '^[А-ЯӨҮЁ]{2}[0-9]{8}$' } },
};
const PERSON_RESPONSE = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  required: ['registerNumber', 'name'],
  properties: { registerNumber: { type: 'string' }, name: { type: 'string' } },
};

describe('an administrator onboards three agencies from the CLI alone', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let gateway: ChildProcess;
  let url: string;

  const ortoo = async (...args: string[]): Promise<CliRun> => {
    const run = await runOrtoo(args, env);
    if (run.code !== 0) throw new Error(`ortoo ${args.join(' ')} failed: ${run.stderr}`);
    return run;
  };

  const globalConf = async (): Promise<GlobalConf> => {
    const res = await fetch(`${url}/v1/global-conf`);
    expect(res.status).toBe(200);
    const anchor = parseCertificate(readFileSync(path.join(dir, 'certs', 'global-conf-signing.pem'), 'utf8'));
    return verifyGlobalConf(await res.json(), { anchor, now: new Date(), instance: 'MN' });
  };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'ortoo-onboarding-'));
    env = await gatewayProcessEnv(dir);
    await ortoo('gateway', 'init');
    const bootstrap = JSON.parse((await ortoo('gateway', 'bootstrap', '--name', 'Bat', '--json')).stdout);
    gateway = spawn(process.execPath, [path.join(ROOT, 'bin/ortoo.js'), 'gateway', 'start'], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const started = await waitForOutput(gateway, /listening on (http:\/\/\S+)/);
    url = /listening on (http:\/\/\S+)/.exec(started)?.[1] ?? '';
    env = { ...env, ORTOO_URL: url, ORTOO_TOKEN: bootstrap.token };
  }, 60_000);

  afterAll(async () => {
    if (gateway) expect(await stopProcess(gateway)).toBe(0);
    rmSync(dir, { recursive: true, force: true });
  });

  it('registers the agencies, their servers, a service and who may call it, and signs it all', async () => {
    for (const agency of AGENCIES) {
      await ortoo('admin', 'members', 'create', agency.member, '--name', agency.name);
      await ortoo('admin', 'subsystems', 'create', `${agency.member}/${agency.subsystem}`);

      // What each agency's security server does on its side: its own keys, CSRs, the one-time token.
      const server = `${agency.member}/ss1`;
      const token = (await ortoo('admin', 'registration-tokens', 'create', server)).stdout.split('\n')[0];
      const submitted = await fetch(`${url}/v1/registrations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          token,
          securityServerId: server,
          address: `https://ss1.${agency.subsystem}.example:5500`,
          signCsr: createCsr({ subject: { commonName: server }, keyPair: generateKeyPair() }),
          authCsr: createCsr({
            subject: { commonName: server },
            keyPair: generateKeyPair(),
            dnsNames: [`ss1.${agency.subsystem}.example`],
          }),
        }),
      });
      expect(submitted.status).toBe(202);
      const { id } = (await submitted.json()) as { id: string };
      await ortoo('admin', 'registrations', 'approve', id);
    }

    const requestFile = path.join(dir, 'person.request.json');
    const responseFile = path.join(dir, 'person.response.json');
    writeFileSync(requestFile, JSON.stringify(PERSON_REQUEST));
    writeFileSync(responseFile, JSON.stringify(PERSON_RESPONSE));
    const person = 'MN/GOV/9011311/civil-registry/person';
    await ortoo(
      'admin', 'services', 'create', person, '--version', 'v1', '--title', 'Иргэний мэдээлэл',
      '--request-schema', requestFile, '--response-schema', responseFile, '--data-subject-pointer', '/registerNumber',
    ); // prettier-ignore
    await ortoo('admin', 'access', 'grant', person, '--client', 'MN/GOV/7000001/e-services');
    await ortoo(
      'admin',
      'groups',
      'create',
      'MN/registry-readers',
      '--description',
      'May read the civil registry',
    );
    await ortoo('admin', 'groups', 'add-member', 'MN/registry-readers', 'MN/GOV/5011234/tax');
    await ortoo('admin', 'access', 'grant', person, '--group', 'MN/registry-readers');

    const conf = await globalConf();
    expect(conf.members.map((member) => [member.id, member.name, member.status]).sort()).toEqual(
      AGENCIES.map((agency) => [agency.member, agency.name, 'active']).sort(),
    );
    expect(conf.securityServers).toHaveLength(3);
    for (const server of conf.securityServers) expect(server.authCertificates).toHaveLength(1);
    expect(conf.signCertificates.map((certificate) => certificate.memberId).sort()).toEqual(
      AGENCIES.map((agency) => agency.member).sort(),
    );
    expect(conf.services).toEqual([
      expect.objectContaining({
        id: person,
        version: 'v1',
        providerId: 'MN/GOV/9011311/civil-registry',
        requestSchemaHash: sha256(canonicalJson(PERSON_REQUEST)),
        responseSchemaHash: sha256(canonicalJson(PERSON_RESPONSE)),
        dataSubjectPointer: '/registerNumber',
        enabled: true,
      }),
    ]);
    expect(conf.accessRights).toEqual(
      expect.arrayContaining([
        { serviceId: person, clientId: 'MN/GOV/7000001/e-services' },
        { serviceId: person, groupId: 'MN/registry-readers' },
      ]),
    );
    expect(conf.groups).toEqual([{ id: 'MN/registry-readers', members: ['MN/GOV/5011234/tax'] }]);
    expect(conf.revokedCertificates).toEqual([]);
  });

  it('shows a revoked security server in the very next configuration', async () => {
    const before = await globalConf();
    await ortoo('admin', 'servers', 'revoke', 'MN/GOV/5011234/ss1', '--reason', 'decommissioned');
    const after = await globalConf();
    expect(after.version).toBeGreaterThan(before.version);
    expect(after.securityServers.find((server) => server.id === 'MN/GOV/5011234/ss1')).toMatchObject({
      status: 'revoked',
      authCertificates: [],
    });
    const revokedSerials = after.revokedCertificates.map((revocation) => revocation.serial);
    const serverSerials = before.signCertificates
      .filter((certificate) => certificate.securityServerId === 'MN/GOV/5011234/ss1')
      .map((certificate) => certificate.serial);
    expect(serverSerials).toHaveLength(1);
    expect(revokedSerials).toEqual(expect.arrayContaining(serverSerials));
  });
});
