/**
 * The whole demo, as a newcomer runs it: `npm start` brings up the network
 * (as child processes), the curl commands it prints work as printed, the
 * tour runs a day of traffic and ends with the auditor's verification, Ctrl-C
 * stops everything, a second start reuses what the first made, and no log
 * line of any process holds a citizen's personal data, a token or an API key.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { CITIZENS } from '../../scripts/demo/demo-data';
import type { DemoNetworkFile } from '../../scripts/demo/network-file';
import { waitForOutput } from '../helpers/processes';

const ROOT = path.resolve(__dirname, '..', '..');
const run = promisify(execFile);

/** True when nothing listens on 127.0.0.1:`port`. */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A base port with the 41 ports the demo uses above it all free. */
async function freePortBase(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const base = 20_000 + Math.floor(Math.random() * 400) * 100;
    const all = await Promise.all(Array.from({ length: 41 }, (_, i) => portFree(base + i)));
    if (all.every(Boolean)) return base;
  }
  throw new Error('no free range of ports for the demo');
}

describe('the demo network (npm start, the printed curl commands, the tour)', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let network: ChildProcess | undefined;
  let printed = '';

  const startNetwork = async () => {
    const child = spawn(process.execPath, ['--require', 'tsx/cjs', 'scripts/demo/network.ts'], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    network = child;
    return waitForOutput(child, /demo network ready in/, 180_000);
  };

  const stopNetwork = async () => {
    const child = network;
    if (child === undefined || child.exitCode !== null) return null;
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGINT');
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const code = await exited;
    clearTimeout(timer);
    return code;
  };

  const networkFile = () =>
    JSON.parse(readFileSync(path.join(dir, 'var', 'network.json'), 'utf8')) as DemoNetworkFile;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'ortoo-demo-'));
    env = {
      ...process.env,
      ORTOO_DEMO_DIR: path.join(dir, 'var'),
      ORTOO_CERTS_DIR: path.join(dir, 'certs'),
      ORTOO_DEMO_PORT_BASE: String(await freePortBase()),
    };
    delete env.REDIS_URL; // its own private Redis, as on a fresh machine
    printed = await startNetwork();
  }, 240_000);

  afterAll(async () => {
    await stopNetwork();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  /** The curl commands the network printed, in order. */
  const curls = () =>
    printed
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line.startsWith('curl '));

  it('prints the endpoints, the tokens and ready curl commands', () => {
    const file = networkFile();
    expect(printed).toContain(file.gateway.adminUrl);
    expect(printed).toContain(file.tokens.auditor);
    // sync; async and its status; the auditor's search; a certificate; getOpenAPI; the single-schema lookup
    expect(curls()).toHaveLength(7);
  });

  it('answers the printed sync lookup with the citizen’s record', async () => {
    const { stdout } = await run('bash', ['-c', curls()[0] as string]);
    expect(JSON.parse(stdout)).toMatchObject({ registerNumber: 'УБ99010112', firstName: expect.any(String) });
  });

  it('answers the printed async request with 202, then the answer at its status URL', async () => {
    const { stdout } = await run('bash', ['-c', curls()[1] as string]);
    const queued = JSON.parse(stdout) as { id: string; statusUrl: string };
    expect(queued).toMatchObject({ status: 'queued', statusUrl: `/r1/messages/${queued.id}` });
    let answer: unknown;
    for (
      let i = 0;
      i < 50 && (answer as { registerNumber?: string } | undefined)?.registerNumber === undefined;
      i += 1
    ) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      answer = JSON.parse(
        (await run('bash', ['-c', (curls()[2] as string).replace('<id>', queued.id)])).stdout,
      );
    }
    expect(answer).toMatchObject({ registerNumber: 'УБ99010112' });
  });

  it("answers the printed auditor's search with the citizen's records", async () => {
    const { stdout } = await run('bash', ['-c', curls()[3] as string]);
    const found = JSON.parse(stdout) as { items: { event: string; service: string }[] };
    expect(found.items.map((record) => record.event)).toEqual(
      expect.arrayContaining(['accepted', 'delivered']),
    );
  });

  it("answers the printed certificate request with 201's certificate, checked by the API's OpenAPI document", async () => {
    const { stdout } = await run('bash', ['-c', curls()[4] as string]);
    expect(JSON.parse(stdout)).toMatchObject({
      registerNumber: 'УБ99010112',
      kind: 'residence',
      certificateNumber: expect.any(String),
    });
  });

  it('answers the printed getOpenAPI with the registered document, served at the client proxy', async () => {
    const { stdout } = await run('bash', ['-c', curls()[5] as string]);
    const document = JSON.parse(stdout) as {
      openapi: string;
      servers: { url: string }[];
      paths: Record<string, unknown>;
    };
    expect(document.openapi).toBe('3.0.3');
    expect(document.servers).toEqual([
      expect.objectContaining({ url: '/r1/MN/GOV/9011311/civil-registry/records' }),
    ]);
    expect(Object.keys(document.paths)).toContain('/persons/{registerNumber}');
  });

  it('answers the printed single-schema lookup with the citizen’s record', async () => {
    const { stdout } = await run('bash', ['-c', curls()[6] as string]);
    expect(JSON.parse(stdout)).toMatchObject({ registerNumber: 'УБ99010112', firstName: expect.any(String) });
  });

  it('runs the tour: a day of traffic, an outage recovered, and the auditor’s verification', async () => {
    const { stdout, stderr } = await run(process.execPath, ['--require', 'tsx/cjs', 'scripts/demo/tour.ts'], {
      cwd: ROOT,
      env,
      timeout: 180_000,
    }).catch((error: { stdout?: string; stderr?: string }) => {
      throw new Error(`tour failed:\n${error.stdout ?? ''}\n${error.stderr ?? ''}`);
    });
    expect(`${stdout}${stderr}`).toMatch(/verif/i);
  }, 200_000);

  it('stops every process on Ctrl-C, and a second start reuses what the first made', async () => {
    expect(await stopNetwork()).toBe(0);
    const before = networkFile();
    printed = await startNetwork();
    const after = networkFile();
    expect(after.tokens).toEqual(before.tokens);
    expect(after.agencies.eServices.apiKey).toBe(before.agencies.eServices.apiKey);
    const { stdout } = await run('bash', ['-c', curls()[0] as string]);
    expect(JSON.parse(stdout)).toMatchObject({ registerNumber: 'УБ99010112' });
  }, 240_000);

  it("writes no citizen's personal data, token or API key to any process's log", () => {
    const file = networkFile();
    const secrets = [
      file.tokens.admin,
      file.tokens.auditor,
      ...Object.values(file.agencies).map((agency) => agency.apiKey),
    ];
    const personal = CITIZENS.flatMap((citizen) => [
      citizen.registerNumber,
      citizen.firstName,
      citizen.lastName,
    ]);
    const logs = readdirSync(file.logsDir).map((name) => readFileSync(path.join(file.logsDir, name), 'utf8'));
    expect(logs.length).toBeGreaterThanOrEqual(5);
    for (const text of logs) {
      for (const needle of [...secrets, ...personal]) expect(text).not.toContain(needle);
    }
  });
});
