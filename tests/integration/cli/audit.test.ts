import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli } from '../../../cli/src/main';
import { loadOrCreateTrust, TRUST_FILES } from '../../../gateway/src/trust/gateway-trust';
import {
  runOrtoo,
  startListeningGateway,
  type CliRun,
  type ListeningGateway,
} from '../../helpers/cli-runner';

/** A port nobody listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const TAX = 'MN/GOV/5001/tax';
const POLICE = 'MN/GOV/5002/police';
const REGISTRY = 'MN/GOV/9011311/registry/getPerson/v1';
const SERVER = 'MN/GOV/9011311/ss1';
const CITIZEN = 'MN-8801015522';

/** An audit record as the auditor API answers it (the fields these tests read). */
interface Record {
  seq: number;
  event: string;
  outcome: string;
  actor?: string | null;
  messageId?: string | null;
  client?: string | null;
  subjectHash?: string | null;
  detail: { [key: string]: unknown };
}

describe('ortoo audit', () => {
  let gw: ListeningGateway;
  let dir: string;
  /** `ortoo audit <args>` as the test auditor. */
  let audit: (args: readonly string[]) => Promise<CliRun>;

  beforeAll(async () => {
    gw = await startListeningGateway();
    dir = mkdtempSync(path.join(tmpdir(), 'ortoo-audit-cli-'));
    audit = (args) => runOrtoo(['audit', ...args], gw.auditorEnv);
    const { audit: trail } = gw.gateway.deps;
    const exchange = { client: TAX, service: REGISTRY, userId: 'MN/tax-officer-7', securityServer: SERVER };
    // One exchange told in full, with a data subject and a stated purpose; another refused.
    await trail.record({ event: 'accepted', outcome: 'ok', messageId: 'msg-1', ...exchange });
    await trail.record({ event: 'queued', outcome: 'ok', messageId: 'msg-1', ...exchange });
    await trail.record({ event: 'delivered', outcome: 'ok', messageId: 'msg-1', ...exchange });
    await trail.record({
      event: 'answered',
      outcome: 'ok',
      messageId: 'msg-1',
      ...exchange,
      requestHash: 'sha256-request',
      responseHash: 'sha256-response',
      dataSubject: CITIZEN,
      detail: { issue: 'Tax case 2025/17' },
    });
    await trail.record({
      event: 'rejected',
      outcome: 'refused',
      errorType: 'Client.Forbidden',
      messageId: 'msg-2',
      client: POLICE,
      service: REGISTRY,
    });
  });
  afterAll(async () => {
    await gw.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('searches records as a table, filtered', async () => {
    const run = await audit(['search', '--message-id', 'msg-1']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(/^SEQ\s+TIME\s+EVENT\s+OUTCOME\s+MESSAGE ID\s+CLIENT\s+SERVICE$/m);
    expect(run.stdout).toMatch(
      /^\d+\s+\S+\s+accepted\s+ok\s+msg-1\s+MN\/GOV\/5001\/tax\s+MN\/GOV\/9011311\/registry/m,
    );
    expect(run.stdout).not.toContain('msg-2');

    const refused = await audit(['search', '--outcome', 'refused', '--client', POLICE]);
    expect(refused.code).toBe(0);
    expect(refused.stdout).toMatch(/^\d+\s+\S+\s+rejected\s+refused\s+msg-2\s+MN\/GOV\/5002\/police/m);
  });

  it('searches as JSON, following every page, and by data subject given in clear', async () => {
    const all = JSON.parse((await audit(['search', '--json', '--message-id', 'msg-1'])).stdout) as {
      items: Record[];
      nextCursor?: string;
    };
    expect(all.items.map((record) => record.event)).toEqual(['accepted', 'queued', 'delivered', 'answered']);
    expect(all.nextCursor).toBeUndefined();

    // Pages of two: the CLI follows the cursors.
    const requested: URL[] = [];
    let stdout = '';
    const code = await runCli(['audit', 'search', '--json', '--message-id', 'msg-1'], {
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: () => true },
      env: gw.auditorEnv,
      fetch: (input, init) => {
        const url = new URL(String(input));
        url.searchParams.set('limit', '2');
        requested.push(url);
        return fetch(url, init);
      },
    });
    expect(code).toBe(0);
    expect((JSON.parse(stdout) as { items: Record[] }).items).toHaveLength(4);
    expect(requested.length).toBeGreaterThanOrEqual(2);

    const bySubject = JSON.parse((await audit(['search', '--json', '--subject', CITIZEN])).stdout) as {
      items: Record[];
    };
    expect(bySubject.items).toHaveLength(1);
    expect(bySubject.items[0]).toMatchObject({ event: 'answered', messageId: 'msg-1' });
    // Stored as a keyed hash, never in clear.
    expect(bySubject.items[0]?.subjectHash).toEqual(expect.any(String));
    expect(JSON.stringify(bySubject)).not.toContain(CITIZEN);
  });

  it('prints one page with --limit and where the next starts', async () => {
    const run = await audit(['search', '--message-id', 'msg-1', '--limit', '2']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^More audit records: add --cursor \S+$/m);
  });

  it('records every auditor query, naming the auditor', async () => {
    const run = await audit(['search', '--json', '--event', 'auditor-query']);
    const items = (JSON.parse(run.stdout) as { items: Record[] }).items;
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((record) => record.actor === 'test-auditor')).toBe(true);
  });

  it('tells the story of one message in order', async () => {
    const run = await audit(['message', 'msg-1']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toContain('Message msg-1:');
    expect(run.stdout).toMatch(/^SEQ\s+TIME\s+EVENT\s+OUTCOME\s+ERROR\s+SERVER\s+CLIENT\s+SERVICE$/m);
    const events = [...run.stdout.matchAll(/^\d+\s+\S+\s+(\S+)\s+ok\s/gm)].map((match) => match[1]);
    expect(events).toEqual(['accepted', 'queued', 'delivered', 'answered']);

    const json = JSON.parse((await audit(['message', 'msg-2', '--json'])).stdout) as {
      messageId: string;
      items: Record[];
    };
    expect(json.messageId).toBe('msg-2');
    expect(json.items).toEqual([
      expect.objectContaining({ event: 'rejected', outcome: 'refused', errorType: 'Client.Forbidden' }),
    ]);
  });

  it('verifies the whole log and a time range', async () => {
    const run = await audit(['verify']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(/^ok: \d+ records? in \d+ chains?, \d+ checkpoints?$/m);

    const json = await audit(['verify', '--json', '--from', '2000-01-01', '--to', '2999-01-01T00:00:00Z']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, records: expect.any(Number) });

    const bad = await audit(['verify', '--from', 'yesterday']);
    expect(bad.code).toBe(2);
  });

  it('lists the signed checkpoints', async () => {
    // The writer signs its head on an interval and on shutdown; the export below makes one too.
    expect(
      (await audit(['export', '--message-id', 'msg-1', '--out', path.join(dir, 'warm-up.jose')])).code,
    ).toBe(0);
    const run = await audit(['checkpoints']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(/^ID\s+WRITER\s+CHAIN SEQ\s+RECORDS\s+TIME\s+SIGNER$/m);
    expect(run.stdout).toMatch(/^\d+\s+gateway:\S+\s+\d+\s+\d+\s+\S+\s+\S+$/m);
    const json = JSON.parse((await audit(['checkpoints', '--json'])).stdout) as {
      items: { writer: string; signer: string }[];
    };
    expect(json.items.length).toBeGreaterThan(0);
    expect(json.items[0]?.signer).toEqual(expect.any(String));
  });

  describe('evidence bundles', () => {
    const bundle = () => path.join(dir, 'msg-1.jose');
    let offlineEnv: NodeJS.ProcessEnv;

    beforeAll(async () => {
      // The gateway unreachable, and no token: verify-bundle must need neither.
      offlineEnv = { ORTOO_URL: `http://127.0.0.1:${await closedPort()}` };
    });

    it('exports a bundle, and refuses to overwrite it unless --force', async () => {
      const run = await audit(['export', '--message-id', 'msg-1', '--out', bundle()]);
      expect(run).toMatchObject({ code: 0, stderr: '' });
      expect(run.stdout).toContain(`Wrote the evidence bundle to ${bundle()}`);
      const text = readFileSync(bundle(), 'utf8');
      expect(JSON.parse(text)).toEqual({
        payload: expect.any(String),
        protected: expect.any(String),
        signature: expect.any(String),
      });

      const again = await audit(['export', '--message-id', 'msg-1', '--out', bundle()]);
      expect(again.code).toBe(1);
      expect(again.stderr).toContain('pass --force');
      expect(readFileSync(bundle(), 'utf8')).toBe(text);
      expect((await audit(['export', '--message-id', 'msg-1', '--out', bundle(), '--force'])).code).toBe(0);
    });

    it('verifies the bundle offline, printing the CA thumbprint it trusted', async () => {
      const fetched: unknown[] = [];
      let stdout = '';
      let stderr = '';
      const code = await runCli(['audit', 'verify-bundle', bundle()], {
        stdout: { write: (text: string) => (stdout += text) },
        stderr: { write: (text: string) => (stderr += text) },
        env: offlineEnv,
        fetch: (input) => {
          fetched.push(input);
          return Promise.reject(new Error('no network here'));
        },
      });
      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      expect(fetched).toEqual([]);
      const thumbprint = gw.gateway.deps.trust.ca.certificate.thumbprint;
      expect(stdout).toMatch(/^ok: \d+ records?, \d+ checkpoints? in /m);
      expect(stdout).toContain(`CA thumbprint ${thumbprint}`);

      const withCa = await runOrtoo(
        [
          'audit',
          'verify-bundle',
          bundle(),
          '--ca',
          path.join(gw.gateway.certsDir, TRUST_FILES.caCertificate),
        ],
        offlineEnv,
      );
      expect(withCa).toMatchObject({ code: 0, stderr: '' });
      expect(withCa.stdout).toContain(`CA thumbprint ${thumbprint} (the CA given with --ca)`);

      const json = await runOrtoo(['audit', 'verify-bundle', bundle(), '--json'], offlineEnv);
      expect(json.code).toBe(0);
      expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, caThumbprint: thumbprint });
    });

    it('fails on a flipped byte, another CA, or no file (exit 1)', async () => {
      const text = readFileSync(bundle(), 'utf8');
      const flipped = path.join(dir, 'flipped.jose');
      // A byte inside the payload: the JSON stays well-formed, the evidence does not.
      const at = text.indexOf('"payload":"') + '"payload":"'.length + 40;
      const original = text.charAt(at);
      writeFileSync(flipped, text.slice(0, at) + (original === 'A' ? 'B' : 'A') + text.slice(at + 1));
      const run = await runOrtoo(['audit', 'verify-bundle', flipped], offlineEnv);
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(/^error: The evidence bundle .* does not verify: /);

      const otherDir = mkdtempSync(path.join(dir, 'other-'));
      loadOrCreateTrust({ dir: otherDir, instance: 'MN' });
      const otherCa = await runOrtoo(
        ['audit', 'verify-bundle', bundle(), '--ca', path.join(otherDir, TRUST_FILES.caCertificate)],
        offlineEnv,
      );
      expect(otherCa.code).toBe(1);
      expect(otherCa.stderr).toContain('does not verify');

      const missing = await runOrtoo(['audit', 'verify-bundle', path.join(dir, 'nothing.jose')], offlineEnv);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain('no such file');
    });
  });

  it('shows the data tracker: who read data about a subject, through what, and why', async () => {
    // The receiver's name comes from the registry.
    expect(
      (await gw.ortoo(['admin', 'members', 'create', 'MN/GOV/5001', '--name', 'Tax authority'])).code,
    ).toBe(0);
    const run = await audit(['usage', '--subject', CITIZEN]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(/^TIME\s+RECEIVER\s+RECEIVER NAME\s+SYSTEM\s+ACTION$/m);
    expect(run.stdout).toMatch(
      /^\S+\s+5001\s+Tax authority\s+tax\s+Tax case 2025\/17 \(MN\/GOV\/9011311\/registry\/getPerson\/v1\)$/m,
    );

    const json = JSON.parse((await audit(['usage', '--subject', CITIZEN, '--json'])).stdout) as {
      totalUsages: number;
      usages: { receiverCode: string; receiverSystem: string; action: string }[];
    };
    expect(json.totalUsages).toBe(1);
    expect(json.usages[0]).toMatchObject({
      receiverCode: '5001',
      receiverName: 'Tax authority',
      receiverSystem: 'tax',
    });

    const nobody = await audit(['usage', '--subject', 'MN-0000000000', '--from', '2000-01-01']);
    expect(nobody.code).toBe(0);
    expect(nobody.stdout).toContain('No usages');
  });

  it('refuses an admin token: the audit API is for auditors only', async () => {
    const run = await gw.ortoo(['audit', 'search']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: Client\.Forbidden: /);
  });

  it('names the seq of a record changed in the database (exit 1)', async () => {
    const { items } = JSON.parse((await audit(['search', '--json', '--message-id', 'msg-1'])).stdout) as {
      items: Record[];
    };
    const target = items[1]!;
    await gw.gateway.store.query(`UPDATE audit_log SET outcome = 'failed' WHERE seq = $1`, [target.seq]);
    const run = await audit(['verify']);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(
      new RegExp(`^error: The audit log does not verify: \\S+ at seq ${target.seq}\\b`),
    );

    const json = await audit(['verify', '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, problem: { seq: target.seq } });
  });
});
