/**
 * `npm start`: a whole national exchange on one machine. Starts Redis (a
 * private redis-server unless REDIS_URL is set), the gateway (PGlite unless
 * DATABASE_URL is set; trust material generated into certs/ on first run),
 * the three agencies' sample backends and four security servers (civil
 * registry, tax authority, social insurance, and the e-services portal as a
 * consumer), all registered through the same admin API and registration flow
 * a real deployment uses. Prints the endpoints, the tokens and ready curl
 * commands, writes them to var/demo/network.json, and runs until Ctrl-C. A
 * second run reuses what the first made.
 *
 * Environment: ORTOO_DEMO_DIR (var/demo), ORTOO_CERTS_DIR (certs),
 * ORTOO_DEMO_PORT_BASE (4400: admin API; +1 exchange, +2 demo control,
 * +10… client proxies, +20… provider proxies, +30… backends, +40 Redis).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import path from 'node:path';
import express from 'express';
import { initServerFolder, serverFolderPaths } from '../../security-server/src/server-folder';
import { loadSecurityServerConfig, hashApiKey } from '../../security-server/src/config';
import { registerServer } from '../../security-server/src/registration-client';
import { loadOrCreateTrust, TRUST_FILES } from '../../gateway/src/trust/gateway-trust';
import { adminApi, ensure, runOrtoo, serviceRegistration, startOrtooProcess } from '../network/ortoo-cli';
import { ensureConsoleBuilt } from '../console/build';
import { BACKEND_FACTORIES, startBackend, type RunningBackend } from './backends';
import {
  ACCESS_RIGHTS,
  AGENCIES,
  CIVIL_REGISTRY,
  PERSON_SERVICE,
  PROVIDERS,
  RECORDS_SERVICE,
  REPO_ROOT,
  type AgencyKey,
} from './demo-data';
import { explainStartFailure, saveAdminToken, savedAdminToken } from './demo-admin-token';
import type { DemoNetworkFile } from './network-file';
import { startPrivateRedis, type PrivateRedis } from './private-redis';

const started = performance.now();
const DEMO_DIR = path.resolve(process.env.ORTOO_DEMO_DIR ?? path.join(REPO_ROOT, 'var', 'demo'));
const CERTS_DIR = path.resolve(process.env.ORTOO_CERTS_DIR ?? path.join(REPO_ROOT, 'certs'));
const BASE = Number(process.env.ORTOO_DEMO_PORT_BASE ?? 4400);
const NETWORK_FILE = path.join(DEMO_DIR, 'network.json');
const LOGS_DIR = path.join(DEMO_DIR, 'logs');
const AGENCY_ORDER: readonly AgencyKey[] = ['civilRegistry', 'tax', 'socialInsurance', 'eServices'];

const ports = {
  admin: BASE,
  exchange: BASE + 1,
  control: BASE + 2,
  client: (i: number) => BASE + 10 + i,
  provider: (i: number) => BASE + 20 + i,
  backend: (i: number) => BASE + 30 + i,
  redis: BASE + 40,
};

/** Everything started, stopped in reverse on exit. */
const stoppers: (() => Promise<void> | void)[] = [];

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** Starts a long-running `ortoo …` logging to `<logs>/<name>.log`, stopped with the rest on exit. */
async function startProcess(
  name: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  ready: RegExp,
): Promise<void> {
  const running = await startOrtooProcess({
    name,
    args,
    env,
    ready,
    logFile: path.join(LOGS_DIR, `${name}.log`),
  });
  stoppers.push(async () => {
    await running.stop();
  });
}

function editJson(file: string, edit: (value: Record<string, unknown>) => void): void {
  const value = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  edit(value);
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

async function main(): Promise<void> {
  // `npm install` builds the console; a checkout that skipped it gets it built now.
  await ensureConsoleBuilt();
  mkdirSync(LOGS_DIR, { recursive: true });
  mkdirSync(path.join(DEMO_DIR, 'gateway'), { recursive: true });
  const previous = existsSync(NETWORK_FILE)
    ? (JSON.parse(readFileSync(NETWORK_FILE, 'utf8')) as DemoNetworkFile)
    : undefined;

  let redisUrl = process.env.REDIS_URL;
  if (redisUrl === undefined) {
    const redis: PrivateRedis = await startPrivateRedis(path.join(DEMO_DIR, 'redis'), ports.redis);
    stoppers.push(() => redis.stop());
    redisUrl = redis.url;
  }

  // The gateway's trust material: made on the first run, reused after.
  loadOrCreateTrust({ dir: CERTS_DIR, instance: 'MN' });
  const gatewayEnv: NodeJS.ProcessEnv = {
    ...process.env,
    ORTOO_INSTANCE: 'MN',
    ORTOO_CERTS_DIR: CERTS_DIR,
    ORTOO_GATEWAY_DATA_DIR: path.join(DEMO_DIR, 'gateway', 'db'),
    ORTOO_GATEWAY_PORT: String(ports.admin),
    ORTOO_EXCHANGE_PORT: String(ports.exchange),
    ORTOO_QUEUE_PREFIX: 'ortoo-demo',
    REDIS_URL: redisUrl,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
  };
  const adminToken =
    previous?.tokens.admin ??
    savedAdminToken(DEMO_DIR) ??
    (
      JSON.parse(
        runOrtoo(['gateway', 'bootstrap', '--name', 'Demo administrator', '--json'], gatewayEnv),
      ) as {
        token: string;
      }
    ).token;
  saveAdminToken(DEMO_DIR, adminToken); // a start that fails from here on resumes with it

  await startProcess('gateway', ['gateway', 'start'], gatewayEnv, /listening on/);
  const adminUrl = `http://127.0.0.1:${ports.admin}`;
  const exchangeUrl = `https://127.0.0.1:${ports.exchange}`;
  const admin = adminApi(adminUrl, adminToken);
  if ((await admin('GET', '/v1/members?limit=1')).status === 401) {
    throw new Error(
      `The tokens in ${NETWORK_FILE} are not the gateway's: remove ${DEMO_DIR} to start afresh`,
    );
  }
  const auditorToken =
    previous?.tokens.auditor ??
    ((await admin('POST', '/v1/tokens', { name: 'Demo auditor', role: 'auditor' })).body as { token: string })
      .token;

  for (const key of AGENCY_ORDER) {
    const agency = AGENCIES[key];
    await ensure(
      admin('POST', '/v1/members', { id: agency.memberId, name: agency.name }),
      `member ${agency.memberId}`,
    );
    await ensure(
      admin('POST', '/v1/subsystems', { id: agency.subsystemId }),
      `subsystem ${agency.subsystemId}`,
    );
  }
  for (const agency of PROVIDERS) {
    for (const service of agency.services) {
      await ensure(
        admin(
          'POST',
          '/v1/services',
          serviceRegistration(service, {
            timeoutMs: 10_000,
            retryPolicy: { maxAttempts: 20, backoffMs: 500 },
          }),
        ),
        `service ${service.id}`,
      );
    }
  }
  for (const right of ACCESS_RIGHTS) {
    await ensure(
      admin('POST', '/v1/access-rights', { serviceId: right.service, clientId: right.client }),
      `access right of ${right.client} to ${right.service}`,
    );
  }

  // The backends live in this process, so the tour can stage an outage through the control endpoint.
  const backends = new Map<AgencyKey, RunningBackend>();
  const backendPort = new Map<AgencyKey, number>();
  PROVIDERS.forEach((agency, i) => backendPort.set(agency.key, ports.backend(i)));
  const startAgencyBackend = async (key: AgencyKey) => {
    const factory = BACKEND_FACTORIES[key as keyof typeof BACKEND_FACTORIES];
    backends.set(key, await startBackend(factory(), backendPort.get(key) as number));
  };
  for (const agency of PROVIDERS) await startAgencyBackend(agency.key);
  stoppers.push(async () => {
    for (const backend of backends.values()) await backend.close().catch(() => undefined);
  });

  const agencies = {} as DemoNetworkFile['agencies'];
  const anchorPem = readFileSync(path.join(CERTS_DIR, TRUST_FILES.confCertificate), 'utf8');
  for (const [i, key] of AGENCY_ORDER.entries()) {
    const agency = AGENCIES[key];
    const serverId = `${agency.memberId}/ss1`;
    const dir = path.join(DEMO_DIR, 'ss', key);
    const providerAddress = `https://127.0.0.1:${ports.provider(i)}`;
    if (!existsSync(serverFolderPaths(dir).signCertificate)) {
      initServerFolder(dir, {
        serverId,
        gatewayUrl: adminUrl,
        exchangeUrl,
        anchorPem,
        clientPort: ports.client(i),
        providerPort: ports.provider(i),
        providerAddress,
        force: existsSync(path.join(dir, 'config.json')),
      });
      const token = (await admin('POST', '/v1/registration-tokens', { securityServerId: serverId })).body as {
        token: string;
      };
      const config = loadSecurityServerConfig({ dir });
      const submitted = await registerServer(dir, config, { token: token.token, wait: false });
      await ensure(admin('POST', `/v1/registrations/${submitted.id}/approve`), `approval of ${serverId}`);
      await registerServer(dir, config, { pollIntervalMs: 100, timeoutMs: 30_000 });
    }
    const apiKey = previous?.agencies[key]?.apiKey ?? `ortoo_ss_${randomBytes(24).toString('base64url')}`;
    const provided = PROVIDERS.find((provider) => provider.key === key);
    editJson(path.join(dir, 'config.json'), (config) => {
      config.localSystems = [
        { name: `${key}-system`, apiKeyHash: hashApiKey(apiKey), clients: [agency.subsystemId] },
      ];
      config.services = (provided?.services ?? []).map((service) => ({
        serviceId: service.id,
        backendUrl: `http://127.0.0.1:${backendPort.get(key)}${service.backendPath}`,
        timeoutMs: 5000,
      }));
    });
    agencies[key] = {
      memberId: agency.memberId,
      subsystemId: agency.subsystemId,
      serverId,
      clientUrl: `http://127.0.0.1:${ports.client(i)}`,
      providerAddress,
      apiKey,
      ...(provided === undefined ? {} : { backendUrl: `http://127.0.0.1:${backendPort.get(key)}` }),
    };
  }

  // Started once all are registered, so each one's first configuration already knows the others.
  await Promise.all(
    AGENCY_ORDER.map((key) =>
      startProcess(
        `ss-${key}`,
        ['ss', 'start', path.join(DEMO_DIR, 'ss', key)],
        { ...process.env, LOG_LEVEL: gatewayEnv.LOG_LEVEL },
        /listening/,
      ),
    ),
  );

  // Demo control: lets the tour take a backend down for a while (127.0.0.1 only).
  const control = express();
  control.use(express.json());
  control.post('/outage', (req, res) => {
    const { agency, seconds } = req.body as { agency: AgencyKey; seconds: number };
    const backend = backends.get(agency);
    if (backend === undefined || !(seconds > 0 && seconds <= 300)) {
      res.status(400).json({ message: 'agency must be a provider and seconds 1–300' });
      return;
    }
    const until = new Date(Date.now() + seconds * 1000);
    backends.delete(agency);
    void backend.close().then(() => setTimeout(() => void startAgencyBackend(agency), seconds * 1000));
    res.status(202).json({ agency, until: until.toISOString() });
  });
  control.get('/status', (_req, res) => {
    res.json({
      backends: Object.fromEntries(
        PROVIDERS.map((agency) => [agency.key, backends.has(agency.key) ? 'up' : 'down']),
      ),
    });
  });
  const controlServer: Server = control.listen(ports.control, '127.0.0.1');
  await new Promise<void>((resolve) => controlServer.once('listening', resolve));
  stoppers.push(() => new Promise<void>((resolve) => controlServer.close(() => resolve())));

  const network: DemoNetworkFile = {
    startedAt: new Date().toISOString(),
    gateway: { adminUrl, exchangeUrl },
    tokens: { admin: adminToken, auditor: auditorToken },
    control: `http://127.0.0.1:${ports.control}`,
    agencies,
    logsDir: LOGS_DIR,
  };
  writeFileSync(NETWORK_FILE, `${JSON.stringify(network, null, 2)}\n`, { mode: 0o600 });
  printReady(network, (performance.now() - started) / 1000);
}

function printReady(network: DemoNetworkFile, seconds: number): void {
  const portal = network.agencies.eServices;
  const rows: [string, string][] = [
    ['web console', `${network.gateway.adminUrl}/console/`],
    ['gateway admin API', network.gateway.adminUrl],
    ['gateway exchange (mTLS)', network.gateway.exchangeUrl],
    ...AGENCY_ORDER.map((key): [string, string] => [
      `${AGENCIES[key].nameEn} client proxy`,
      network.agencies[key].clientUrl,
    ]),
    ['admin token', network.tokens.admin],
    ['auditor token', network.tokens.auditor],
    ['e-services API key', portal.apiKey],
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  say('');
  for (const [name, value] of rows) say(`  ${name.padEnd(width)}  ${value}`);
  const caller = `-H 'X-Road-Client: ${portal.subsystemId}' -H 'Authorization: Bearer ${portal.apiKey}'`;
  const records = `${portal.clientUrl}/r1/${RECORDS_SERVICE.id}`;
  // УБ99010112, percent-encoded as an HTTP client sends it.
  const lookup = `curl -s ${records}/persons/%D0%A3%D0%9199010112 ${caller}`;
  say('');
  say(`The web console: open ${network.gateway.adminUrl}/console/ and sign in with the admin token`);
  say("(the auditor token shows the auditor's pages: search, message stories, verification, evidence).");
  say('');
  say(
    "A sync lookup of a citizen in the civil registry's REST API (described by OpenAPI), from the e-services portal:",
  );
  say(`  ${lookup}`);
  say('An async request (202 with a status URL; then GET it):');
  say(`  ${lookup.replace('curl -s ', "curl -s -H 'Prefer: respond-async' ")}`);
  say(`  curl -s ${portal.clientUrl}/r1/messages/<id> -H 'Authorization: Bearer ${portal.apiKey}'`);
  say("The auditor's search of the gateway's audit log, by data subject:");
  say(
    `  curl -s '${network.gateway.adminUrl}/v1/audit/records?subject=%D0%A3%D0%9199010112' -H 'Authorization: Bearer ${network.tokens.auditor}'`,
  );
  say('A certificate request, a POST of the same API; its OpenAPI document as the client proxy serves it:');
  say(
    `  curl -s ${records}/certificates ${caller} -H 'Content-Type: application/json' -d '{"registerNumber":"УБ99010112","kind":"residence"}'`,
  );
  say(
    `  curl -s '${portal.clientUrl}/r1/${CIVIL_REGISTRY.subsystemId}/getOpenAPI?serviceCode=${RECORDS_SERVICE.code}' ${caller}`,
  );
  say('The same lookup from the single-schema person service (a POST of a JSON body):');
  say(
    `  curl -s ${portal.clientUrl}/r1/${PERSON_SERVICE.id} ${caller} -H 'Content-Type: application/json' -d '{"registerNumber":"УБ99010112"}'`,
  );
  say('');
  say(`Written to ${NETWORK_FILE}; logs in ${network.logsDir}. A day of traffic: npm run demo:tour`);
  say(`Örtöö demo network ready in ${seconds.toFixed(1)} s (Ctrl-C stops it)`);
}

async function stopAll(): Promise<void> {
  for (const stop of stoppers.reverse()) await Promise.resolve(stop()).catch(() => undefined);
}

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    say(`${signal}: stopping the demo network`);
    void stopAll().then(() => process.exit(0));
  });
}

main().catch(async (error: unknown) => {
  process.stderr.write(`${explainStartFailure(error, DEMO_DIR)}\n`);
  await stopAll();
  process.exit(1);
});
