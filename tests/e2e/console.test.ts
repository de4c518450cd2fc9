/**
 * The web console in real Chromium, against a network this test starts as a
 * deployment runs: `ortoo gateway start`, two agencies' security servers set
 * up with `ortoo ss init` and registering with `ortoo ss register`, the civil
 * registry's backend. An administrator approves the registrations, publishes
 * the person service from its schema files and grants the portal access, all
 * in the console; an exchange through the security servers then succeeds. An
 * auditor finds the messages about the citizen, reads one message's story,
 * verifies the log and downloads an evidence bundle that verifies offline.
 * Every page passes axe-core with no serious or critical violation.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { CONSOLE_CSP } from '../../gateway/src/console/console-assets';
import { createCivilRegistryBackend, startBackend, type RunningBackend } from '../../scripts/demo/backends';
import { launchBrowser, screenshot, seriousAxeViolations } from '../helpers/browser';
import { runOrtoo } from '../helpers/cli-runner';
import { freePort, gatewayProcessEnv, stopProcess, waitForOutput } from '../helpers/processes';

const ROOT = path.resolve(__dirname, '../..');
const REGISTRY = {
  member: 'MN/GOV/9011311',
  subsystem: 'MN/GOV/9011311/civil-registry',
  server: 'MN/GOV/9011311/ss1',
};
const PORTAL = {
  member: 'MN/GOV/7000001',
  subsystem: 'MN/GOV/7000001/e-services',
  server: 'MN/GOV/7000001/ss1',
};
const SERVICE = `${REGISTRY.subsystem}/person`;
const CITIZEN = 'УБ99010112';
const SCHEMAS = path.join(ROOT, 'schemas/services/civil-registry');

jest.setTimeout(240_000);

describe('the web console', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let url: string;
  let adminToken: string;
  let auditorToken: string;
  let gateway: ChildProcess;
  let backend: RunningBackend;
  let browser: Browser;
  const children: ChildProcess[] = [];
  const registering: Promise<number | null>[] = [];
  const ports = { registryClient: 0, registryProvider: 0, portalClient: 0, portalProvider: 0 };

  const ortoo = async (...args: string[]) => {
    const run = await runOrtoo(args, env);
    if (run.code !== 0) throw new Error(`ortoo ${args.join(' ')} failed: ${run.stderr}`);
    return run.stdout;
  };
  const spawnOrtoo = (args: string[]) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/ortoo.js'), ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    return child;
  };
  const admin = async (method: string, route: string, body?: unknown) => {
    const res = await fetch(`${url}${route}`, {
      method,
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${await res.text()}`);
    return res.json() as Promise<Record<string, unknown>>;
  };

  /** Waits until `count` registrations are pending: each `ss register` process has submitted its CSRs. */
  const waitForPending = async (count: number) => {
    for (const deadline = Date.now() + 120_000; Date.now() < deadline;) {
      const page = await admin('GET', '/v1/registrations?status=pending');
      if ((page.items as unknown[]).length >= count) return;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(`${count} registrations were not submitted in 120 s`);
  };

  /** Checks the page with axe-core and saves its screenshot. */
  const audit = async (page: Page, name: string) => {
    await page.waitForLoadState('networkidle');
    expect({ page: name, violations: await seriousAxeViolations(page) }).toEqual({
      page: name,
      violations: [],
    });
    await screenshot(page, name);
  };
  const cspViolations: string[] = [];
  const newPage = async (context: BrowserContext) => {
    const page = await context.newPage();
    // A shared, busy machine: waits are generous, the assertions are not.
    page.setDefaultTimeout(60_000);
    page.on('console', (message) => {
      if (/Content.Security.Policy/i.test(message.text())) cspViolations.push(message.text());
    });
    return page;
  };
  const signIn = async (page: Page, token: string) => {
    await page.goto(`${url}/console/`);
    await page.getByLabel('API токен').fill(token);
    await page.getByRole('button', { name: 'Нэвтрэх' }).click();
    await page.getByRole('heading', { name: 'Тойм', level: 1 }).waitFor();
  };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'ortoo-console-'));
    env = await gatewayProcessEnv(dir);
    await ortoo('gateway', 'init');
    adminToken = JSON.parse(await ortoo('gateway', 'bootstrap', '--name', 'Bat', '--json')).token;
    gateway = spawnOrtoo(['gateway', 'start']);
    const started = await waitForOutput(gateway, /listening on (http:\/\/\S+)/, 60_000);
    url = /listening on (http:\/\/\S+)/.exec(started)?.[1] ?? '';
    auditorToken = String((await admin('POST', '/v1/tokens', { name: 'Oyuna', role: 'auditor' })).token);

    // What an administrator did before: the two agencies, their subsystems, one-time tokens for their servers.
    await admin('POST', '/v1/members', { id: REGISTRY.member, name: 'Улсын бүртгэлийн ерөнхий газар' });
    await admin('POST', '/v1/members', { id: PORTAL.member, name: 'Цахим үндэстэн' });
    await admin('POST', '/v1/subsystems', { id: REGISTRY.subsystem, name: 'Иргэний бүртгэл' });
    await admin('POST', '/v1/subsystems', { id: PORTAL.subsystem, name: 'E-Mongolia' });

    for (const key of Object.keys(ports) as (keyof typeof ports)[]) ports[key] = await freePort();
    const exchangeUrl = `https://127.0.0.1:${env.ORTOO_EXCHANGE_PORT}`;
    const anchor = path.join(dir, 'certs', 'global-conf-signing.pem');
    for (const [agency, client, provider] of [
      [REGISTRY, ports.registryClient, ports.registryProvider],
      [PORTAL, ports.portalClient, ports.portalProvider],
    ] as const) {
      const folder = path.join(dir, 'ss', agency.member.replace(/\//g, '-'));
      await ortoo(
        ...[
          'ss',
          'init',
          folder,
          '--server-id',
          agency.server,
          '--gateway-url',
          url,
          '--exchange-url',
          exchangeUrl,
        ],
        ...['--anchor', anchor, '--client-port', String(client), '--provider-port', String(provider)],
      );
      const token = String(
        (await admin('POST', '/v1/registration-tokens', { securityServerId: agency.server })).token,
      );
      const child = spawnOrtoo(['ss', 'register', folder, '--token', token, '--timeout', '200']);
      registering.push(new Promise((resolve) => child.once('exit', resolve)));
    }
    backend = await startBackend(createCivilRegistryBackend(), await freePort());
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    for (const child of children.reverse()) await stopProcess(child);
    await backend?.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the console with a strict CSP and no inline script', async () => {
    const res = await fetch(`${url}/console/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toBe(CONSOLE_CSP);
    expect(CONSOLE_CSP).toContain("script-src 'self'");
    expect(CONSOLE_CSP).not.toContain('unsafe-inline');
    const html = await res.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(res.headers.get('x-frame-options')).toBe('DENY');
  });

  it('lets an administrator approve the registrations, publish a service and grant access; the exchange then succeeds', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, timezoneId: 'UTC' });
    const page = await newPage(context);
    await page.goto(`${url}/console/`);
    await page.getByRole('heading', { name: 'Нэвтрэх' }).waitFor();
    await audit(page, 'sign-in');
    await signIn(page, adminToken);
    const [cookie] = await context.cookies();
    expect(cookie).toMatchObject({ name: 'ortoo_session', httpOnly: true, sameSite: 'Strict' });
    expect(cookie?.value).not.toContain(adminToken);
    expect(await page.evaluate('document.cookie')).toBe('');
    await audit(page, 'overview');

    // Registrations: both servers wait, each with what its CSRs say (once `ss register` has submitted).
    await waitForPending(2);
    await page.getByRole('link', { name: 'Бүртгэлийн хүсэлт' }).click();
    for (const agency of [REGISTRY, PORTAL]) {
      await page.getByRole('cell', { name: agency.server, exact: true }).waitFor();
    }
    await audit(page, 'registrations');
    for (const agency of [REGISTRY, PORTAL]) {
      await page.getByRole('button', { name: `Дэлгэрэнгүй: ${agency.server}` }).click();
      const details = page.getByRole('region', { name: /Дэлгэрэнгүй/ });
      await details.getByText('EC P-256').first().waitFor();
      await expect(
        details
          .getByText(new RegExp(`CN=ss1, OU=${agency.member}`))
          .first()
          .isVisible(),
      ).resolves.toBe(true);
      if (agency === REGISTRY) await audit(page, 'registration-details');
      await page.getByRole('button', { name: 'Зөвшөөрөх' }).click();
      await page.getByRole('status').filter({ hasText: 'зөвшөөрч' }).waitFor();
    }
    await expect(Promise.all(registering)).resolves.toEqual([0, 0]);

    // Publish the person service from its schema files: a bad id first, its error beside the field.
    await page.getByRole('link', { name: 'Бүртгэл', exact: true }).click();
    await page.getByRole('link', { name: 'Үйлчилгээ' }).click();
    await page.getByRole('button', { name: 'Үйлчилгээ нийтлэх' }).click();
    const form = page.locator('#publish-service');
    await form.getByLabel('Үйлчилгээний таних тэмдэг').fill('not an id');
    await form.getByLabel('Хувилбар').fill('v1');
    await form.getByLabel('Гарчиг').fill('Иргэний мэдээлэл');
    await form
      .getByLabel('Хүсэлтийн JSON Schema')
      .setInputFiles(path.join(SCHEMAS, 'person.request.schema.json'));
    await form
      .getByLabel('Хариуны JSON Schema')
      .setInputFiles(path.join(SCHEMAS, 'person.response.schema.json'));
    await form.getByLabel('Мэдээллийн субьектийн JSON pointer').fill('/registerNumber');
    await form.getByRole('button', { name: 'Үйлчилгээ нийтлэх' }).click();
    const idError = form.locator('#field-publish-service-id-error');
    await idError.waitFor();
    expect(await form.getByLabel('Үйлчилгээний таних тэмдэг').getAttribute('aria-invalid')).toBe('true');
    await audit(page, 'registry-service-error');
    await form.getByLabel('Үйлчилгээний таних тэмдэг').fill(SERVICE);
    await form.getByRole('button', { name: 'Үйлчилгээ нийтлэх' }).click();
    await page.getByRole('cell', { name: SERVICE, exact: true }).waitFor();
    // And the civil registry's REST API, from its OpenAPI document (YAML).
    const records = SERVICE.replace(/person$/, 'records');
    await page.getByRole('button', { name: 'Үйлчилгээ нийтлэх' }).click();
    await form.getByLabel('Үйлчилгээний таних тэмдэг').fill(records);
    await form.getByLabel('Хувилбар').fill('v1');
    await form.getByLabel('Гарчиг').fill('Иргэний бүртгэл (REST)');
    await form.getByLabel('OpenAPI').setInputFiles(path.join(SCHEMAS, 'records.openapi.yaml'));
    await form.getByRole('button', { name: 'Үйлчилгээ нийтлэх' }).click();
    await page.getByRole('cell', { name: records, exact: true }).waitFor();
    await audit(page, 'registry-services');

    await page.getByRole('link', { name: 'Хандах эрх' }).click();
    await page.getByRole('button', { name: 'Эрх олгох' }).click();
    const grant = page.locator('#grant-access');
    await grant.getByLabel('Үйлчилгээний таних тэмдэг').fill(SERVICE);
    await grant.getByLabel('Хэрэглэгч дэд систем').fill(PORTAL.subsystem);
    await grant.getByRole('button', { name: 'Эрх олгох' }).click();
    await page.getByRole('cell', { name: PORTAL.subsystem, exact: true }).waitFor();
    // A right to one endpoint, beside the right to the whole service: the table says which is which.
    await page.getByRole('button', { name: 'Эрх олгох' }).click();
    await grant.getByLabel('Үйлчилгээний таних тэмдэг').fill(SERVICE);
    await grant.getByLabel('Хэрэглэгч дэд систем').fill(PORTAL.subsystem);
    await grant.getByLabel(/Зөвхөн энэ төгсгөлийн цэг/).fill('get /persons/%7Eme/*');
    await grant.getByRole('button', { name: 'Эрх олгох' }).click();
    await page.getByRole('cell', { name: 'GET /persons/~me/*', exact: true }).waitFor();
    await page.getByRole('cell', { name: 'бүгд', exact: true }).waitFor();
    await audit(page, 'registry-access');
    for (const tab of ['members', 'subsystems', 'servers', 'groups', 'certificates']) {
      await page.goto(`${url}/console/registry?tab=${tab}`);
      await page.locator('table tbody tr').first().waitFor();
      await audit(page, `registry-${tab}`);
    }
    await page.getByRole('link', { name: 'Хүргэгдээгүй мессеж' }).click();
    await page.getByRole('heading', { name: 'Хүргэгдээгүй мессеж', level: 1 }).waitFor();
    await audit(page, 'dead-letters');
    await page.getByRole('link', { name: 'Өөрчлөлтийн түүх' }).click();
    await page.getByRole('cell', { name: 'registrations.approve' }).first().waitFor();
    await page.getByRole('cell', { name: 'services.create' }).first().waitFor();
    await audit(page, 'changes');

    // The agencies map the service and a key, start their servers, and the portal asks.
    const registryDir = path.join(dir, 'ss', REGISTRY.member.replace(/\//g, '-'));
    const portalDir = path.join(dir, 'ss', PORTAL.member.replace(/\//g, '-'));
    await ortoo('ss', 'service', registryDir, SERVICE, '--backend', `${backend.origin}/person`);
    const apiKey = JSON.parse(
      await ortoo('ss', 'api-key', portalDir, '--name', 'portal', '--client', PORTAL.subsystem, '--json'),
    ).apiKey as string;
    await Promise.all(
      [registryDir, portalDir].map((folder) =>
        waitForOutput(spawnOrtoo(['ss', 'start', folder]), /listening/, 60_000),
      ),
    );
    const answer = await fetch(`http://127.0.0.1:${ports.portalClient}/r1/${SERVICE}`, {
      method: 'POST',
      headers: {
        'X-Road-Client': PORTAL.subsystem,
        authorization: `Bearer ${apiKey}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ registerNumber: CITIZEN }),
    });
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ registerNumber: CITIZEN });
    await context.close();
  });

  it('lets an auditor find the messages about a citizen, read a story, verify the log and download a bundle that verifies', async () => {
    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      acceptDownloads: true,
    });
    const page = await newPage(context);
    await signIn(page, auditorToken);
    await audit(page, 'overview-auditor');
    await page.getByRole('link', { name: 'Аудитын хайлт' }).click();
    await page.getByLabel('Мэдээллийн субьект').fill(CITIZEN);
    await page.getByRole('button', { name: 'Хайх', exact: true }).click();
    await page.getByRole('cell', { name: 'accepted' }).first().waitFor();
    await audit(page, 'audit-search');

    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Нотлох багц татах' }).click();
    const bundle = path.join(dir, (await download).suggestedFilename());
    await (await download).saveAs(bundle);
    expect(path.basename(bundle)).toMatch(/^audit-evidence-.*\.jose\.json$/);
    const verified = await runOrtoo(
      ['audit', 'verify-bundle', bundle, '--ca', path.join(dir, 'certs', 'ca.pem')],
      env,
    );
    expect(verified).toMatchObject({ code: 0 });

    await page.locator('table tbody a').first().click();
    await page.getByRole('heading', { name: /Мессежийн түүх/ }).waitFor();
    for (const event of ['accepted', 'delivered'])
      await page.locator('.timeline').getByText(event, { exact: true }).first().waitFor();
    await audit(page, 'message-story');

    await page.getByRole('link', { name: 'Бүртгэлийн баталгаажуулалт' }).click();
    await page.getByRole('button', { name: 'Шалгах' }).click();
    await page.getByRole('status').filter({ hasText: 'бүрэн бүтэн' }).waitFor({ timeout: 60_000 });
    expect(await page.locator('progress').getAttribute('value')).toBe(
      await page.locator('progress').getAttribute('max'),
    );
    await audit(page, 'verify');

    await page.getByRole('link', { name: 'Иргэний мэдээллийн ашиглалт' }).click();
    await page.getByLabel('Иргэний регистрийн дугаар').fill(CITIZEN);
    await page.getByRole('button', { name: 'Хайх', exact: true }).click();
    await page.getByRole('cell', { name: 'e-services', exact: true }).first().waitFor();
    await audit(page, 'usage');
    await context.close();
  });

  it('gives an auditor no administrator page and no administrator call', async () => {
    const context = await browser.newContext();
    const page = await newPage(context);
    await signIn(page, auditorToken);
    await expect(page.getByRole('link', { name: 'Бүртгэл', exact: true }).count()).resolves.toBe(0);
    await page.goto(`${url}/console/registry`);
    await page.getByText('Client.Forbidden').waitFor();
    await audit(page, 'forbidden');
    const call = await page.evaluate(async () => {
      const session = (await (await fetch('/v1/session')).json()) as { csrfToken: string };
      const res = await fetch('/v1/members', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'X-Ortoo-CSRF': session.csrfToken },
        body: JSON.stringify({ id: 'MN/GOV/1234567', name: 'Нэг' }),
      });
      return { status: res.status, body: (await res.json()) as { type: string } };
    });
    expect(call).toMatchObject({ status: 403, body: { type: 'Client.Forbidden' } });
    await context.close();
  });

  it('refuses a change without the CSRF token, and the session cookie once signed out', async () => {
    const context = await browser.newContext();
    const page = await newPage(context);
    await signIn(page, adminToken);
    const cookie = (await context.cookies()).find((item) => item.name === 'ortoo_session');
    const header = { cookie: `ortoo_session=${cookie?.value}` };
    const forged = await fetch(`${url}/v1/members`, {
      method: 'POST',
      headers: { ...header, 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'MN/GOV/7654321', name: 'Хуурамч' }),
    });
    expect(forged.status).toBe(403);
    await expect((await fetch(`${url}/v1/session`, { headers: header })).status).toBe(200);

    await page.getByRole('button', { name: 'Гарах' }).click();
    await page.getByRole('heading', { name: 'Нэвтрэх' }).waitFor();
    const after = await fetch(`${url}/v1/session`, { headers: header });
    expect(after.status).toBe(401);
    expect(await after.json()).toMatchObject({ type: 'Client.Unauthenticated' });
    await context.close();
  });

  it('switches between Mongolian and English, with dates in the chosen zone', async () => {
    const context = await browser.newContext({ viewport: { width: 820, height: 1180 } });
    const page = await newPage(context);
    await page.goto(`${url}/console/`);
    await page.getByLabel('Хэл').selectOption('en');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.waitForFunction("document.documentElement.lang === 'en'");
    await page.getByLabel('API token').fill(adminToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    await page.getByRole('link', { name: 'Change log' }).click();
    await page
      .getByRole('cell', { name: /GMT\+8/ })
      .first()
      .waitFor();
    await page.getByLabel('Time zone').selectOption('UTC');
    await page
      .getByRole('cell', { name: /(UTC|GMT)(\+0)?$/ })
      .first()
      .waitFor();
    await audit(page, 'tablet-changes-en');
    await page.getByLabel('Language').selectOption('mn');
    await page.getByRole('link', { name: 'Тойм' }).waitFor();
    await page.waitForFunction("document.documentElement.lang === 'mn'");
    await context.close();
    expect(cspViolations).toEqual([]);
  });
});
