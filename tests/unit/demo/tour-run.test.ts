/**
 * The tour's runner against a stand-in for the demo network: one express app
 * on 127.0.0.1 that answers as the client proxies, the control endpoint and
 * the auditor API do (access rights, the request schema's register number,
 * async delivery with retries while a backend is down, an audit log of
 * accepted messages). The real network is the end-to-end test's.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Request, type Response } from 'express';
import { ACCESS_RIGHTS, AGENCIES, CITIZENS, type AgencyKey } from '../../../scripts/demo/demo-data';
import type { DemoNetworkFile } from '../../../scripts/demo/network-file';
import {
  exitCodeOf,
  formatSummary,
  mismatchesOf,
  planDay,
  runTour,
  type TourProgress,
} from '../../../scripts/demo/tour/index';

interface FakeOptions {
  /** Lets every call through, as if every access right were granted. */
  ignoreAccessRights?: boolean;
  /** Never delivers an async message. */
  neverDeliver?: boolean;
}

interface Message {
  provider: AgencyKey;
  client: string;
  registerNumber: string;
  attempts: number;
}

const KNOWN = new Set(CITIZENS.map((person) => person.registerNumber));
const REGISTER_NUMBER = /^[А-ЯЁӨҮ]{2}[0-9]{8}$/;
const AUDITOR_TOKEN = 'auditor-token';
const apiKeyOf = (key: AgencyKey) => `key-${key}`;

function xRoadError(res: Response, status: number, type: string): void {
  res.status(status).set('X-Road-Error', type).json({ type, message: type });
}

/** A stand-in for the demo network, listening on 127.0.0.1. */
async function startFakeNetwork(options: FakeOptions = {}) {
  const sent: Record<string, string | undefined>[] = [];
  const accepted: { messageId: string; subject: string }[] = [];
  const messages = new Map<string, Message>();
  let downUntil = 0;

  const providerAnswer = (res: Response, message: Message) => {
    if (KNOWN.has(message.registerNumber)) {
      res.status(200).json({ registerNumber: message.registerNumber });
    } else {
      res
        .status(404)
        .type('application/problem+json')
        .send(JSON.stringify({ status: 404, detail: 'not found', registerNumber: message.registerNumber }));
    }
  };

  const app = express();
  app.use(express.json());
  app.post('/outage', (req, res) => {
    const { agency, seconds } = req.body as { agency: AgencyKey; seconds: number };
    expect(agency).toBe('civilRegistry');
    downUntil = Date.now() + seconds * 1000;
    res.status(202).json({ agency, until: new Date(downUntil).toISOString() });
  });
  app.get('/v1/audit/records', (req, res) => {
    expect(req.headers.authorization).toBe(`Bearer ${AUDITOR_TOKEN}`);
    const { subject, limit, cursor } = req.query as Record<string, string>;
    const records = accepted
      .filter((record) => record.subject === subject)
      .flatMap((record, i) => [
        { seq: 2 * i, event: 'accepted', messageId: record.messageId },
        { seq: 2 * i + 1, event: 'delivered', messageId: record.messageId },
      ]);
    // Small pages, so the tour has to follow the cursor.
    const size = Math.min(Number(limit), 7);
    const start = cursor === undefined ? 0 : Number(cursor);
    const items = records.slice(start, start + size);
    res.json({ items, ...(start + size < records.length ? { nextCursor: String(start + size) } : {}) });
  });
  app.get('/v1/audit/verify', (req, res) => {
    expect(req.headers.authorization).toBe(`Bearer ${AUDITOR_TOKEN}`);
    res.json({ ok: true, records: accepted.length * 2, chains: 1, checkpoints: 3 });
  });
  app.get('/r1/messages/:id', (req: Request, res) => {
    const message = messages.get(req.params.id as string);
    if (message === undefined) return xRoadError(res, 400, 'Client.NotFound');
    if (options.neverDeliver === true || (message.provider === 'civilRegistry' && Date.now() < downUntil)) {
      message.attempts += 1;
      res.status(202).json({ id: req.params.id, state: 'retrying', attempts: message.attempts });
      return;
    }
    providerAnswer(res, message);
  });
  app.all(/^\/r1\/(.+)$/, (req: Request, res) => {
    const headers = {
      client: req.header('x-road-client'),
      authorization: req.header('authorization'),
      id: req.header('x-road-id'),
      userId: req.header('x-road-userid'),
      issue: req.header('x-road-issue'),
      prefer: req.header('prefer'),
      contentType: req.header('content-type'),
    };
    sent.push(headers);
    const client = Object.values(AGENCIES).find((agency) => agency.subsystemId === headers.client);
    if (client === undefined || headers.authorization !== `Bearer ${apiKeyOf(client.key)}`) {
      return xRoadError(res, 400, 'Client.Unauthenticated');
    }
    // INSTANCE/CLASS/CODE/SUBSYSTEM/SERVICE, then the path below the service (the REST API's `/persons/{n}`).
    const parts = req.path.slice('/r1/'.length).split('/').map(decodeURIComponent);
    const service = parts.slice(0, 5).join('/');
    const provider = Object.values(AGENCIES).find((agency) => agency.services.some((s) => s.id === service));
    if (provider === undefined) return xRoadError(res, 400, 'Client.NotFound');
    const allowed = ACCESS_RIGHTS.some(
      (right) => right.service === service && right.client === client.subsystemId,
    );
    if (!allowed && options.ignoreAccessRights !== true) return xRoadError(res, 400, 'Client.AccessDenied');
    const registerNumber =
      req.method === 'GET' ? (parts[6] ?? '') : (req.body as { registerNumber: string }).registerNumber;
    if (!REGISTER_NUMBER.test(registerNumber)) return xRoadError(res, 400, 'Client.SchemaViolation');
    const id = headers.id as string;
    accepted.push({ messageId: id, subject: registerNumber });
    const message: Message = {
      provider: provider.key,
      client: client.subsystemId,
      registerNumber,
      attempts: 0,
    };
    if (headers.prefer === 'respond-async') {
      messages.set(id, message);
      res.status(202).json({ id, status: 'queued', statusUrl: `/r1/messages/${id}` });
      return;
    }
    if (provider.key === 'civilRegistry' && Date.now() < downUntil) {
      return xRoadError(res, 500, 'Server.ServerProxy.NetworkError');
    }
    providerAnswer(res, message);
  });

  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const agencies = Object.fromEntries(
    Object.values(AGENCIES).map((agency) => [
      agency.key,
      {
        memberId: agency.memberId,
        subsystemId: agency.subsystemId,
        serverId: `${agency.memberId}/ss1`,
        clientUrl: url,
        providerAddress: 'https://127.0.0.1:1',
        apiKey: apiKeyOf(agency.key),
      },
    ]),
  ) as DemoNetworkFile['agencies'];
  const network: DemoNetworkFile = {
    startedAt: new Date().toISOString(),
    gateway: { adminUrl: url, exchangeUrl: 'https://127.0.0.1:1' },
    tokens: { admin: 'admin-token', auditor: AUDITOR_TOKEN },
    control: url,
    agencies,
    logsDir: '/tmp',
  };
  const close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return { network, sent, accepted, close };
}

/** Progress kept in memory. */
function memoryProgress() {
  const lines: string[] = [];
  const progress: TourProgress = {
    start: (total) => lines.push(`start ${total}`),
    update: (result) => lines.push(`${result.call.seq} ${result.problems.length === 0 ? 'ok' : 'mismatch'}`),
    note: (text) => lines.push(text),
    stop: () => lines.push('stop'),
  };
  return { lines, progress };
}

const FAST = { pollIntervalMs: 50, deadlineMs: 20_000, requestTimeoutMs: 5000 };

describe('runTour', () => {
  let fake: Awaited<ReturnType<typeof startFakeNetwork>> | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });

  it('runs the day, stages the outage, has the auditor find the subject, and every expectation holds', async () => {
    fake = await startFakeNetwork();
    const plan = planDay({ seed: 11, runId: 'tour-run-a', calls: 30, outageLookups: 4, outageSeconds: 1 });
    const { lines, progress } = memoryProgress();
    const report = await runTour(fake.network, plan, { ...FAST, progress });

    expect(mismatchesOf(report)).toEqual([]);
    expect(exitCodeOf(report)).toBe(0);
    expect(report.results.map((result) => result.call.id)).toEqual(plan.calls.map((call) => call.id));
    expect(lines[0]).toBe('start 30');
    expect(lines.at(-1)).toBe('stop');
    expect(lines.filter((line) => / ok$/.test(line))).toHaveLength(30);

    // Every call went out with its headers, as the plan said.
    expect(fake.sent).toHaveLength(30);
    for (const call of plan.calls) {
      expect(fake.sent).toContainEqual({
        client: AGENCIES[call.consumer].subsystemId,
        authorization: `Bearer ${apiKeyOf(call.consumer)}`,
        id: call.id,
        userId: call.userId,
        issue: call.issue,
        prefer: call.async ? 'respond-async' : undefined,
        contentType: call.body === undefined ? undefined : 'application/json',
      });
    }

    const { outage, audit } = report;
    expect(outage).toMatchObject({
      agency: 'civilRegistry',
      seconds: 1,
      sent: 4,
      queued: 4,
      delivered: 4,
      problems: [],
    });
    expect(outage?.allDeliveredMs).toBeGreaterThanOrEqual(900);
    expect(outage?.afterRecoveryMs).toBeGreaterThanOrEqual(0);
    expect(outage?.afterRecoveryMs).toBeLessThan(2000);
    expect(outage?.maxAttempts).toBeGreaterThan(0);

    expect(audit?.expected).toBeGreaterThan(0);
    expect(audit?.found).toBe(audit?.expected);
    expect(audit?.records).toBe(
      2 * fake.accepted.filter((record) => record.subject === plan.auditSubject).length,
    );
    expect(audit?.verification).toEqual({
      ok: true,
      records: 2 * fake.accepted.length,
      chains: 1,
      checkpoints: 3,
    });
    expect(formatSummary(report)).toContain('Every expectation held.');
  });

  it('lists a call that did not come to what was expected, and fails', async () => {
    fake = await startFakeNetwork({ ignoreAccessRights: true });
    const plan = planDay({ seed: 12, runId: 'tour-run-b', calls: 20, outageLookups: 2, outageSeconds: 1 });
    const report = await runTour(fake.network, plan, { ...FAST, progress: memoryProgress().progress });
    const denied = plan.calls.find((call) => call.kind === 'denied');
    expect(mismatchesOf(report)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^#${String(denied?.seq).padStart(3, '0')} .*: expected 400 Client.AccessDenied, got 200$`,
        ),
      ),
    ]);
    expect(exitCodeOf(report)).toBe(1);
  });

  it('gives up at its deadline and says so', async () => {
    fake = await startFakeNetwork({ neverDeliver: true });
    const plan = planDay({ seed: 13, runId: 'tour-run-c', calls: 20, outageLookups: 2, outageSeconds: 1 });
    const started = Date.now();
    const report = await runTour(fake.network, plan, {
      ...FAST,
      deadlineMs: 1500,
      progress: memoryProgress().progress,
    });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(report.results).toHaveLength(20);
    const mismatches = mismatchesOf(report);
    expect(mismatches[0]).toBe("the tour's deadline of 2 s passed");
    expect(mismatches.some((line) => /got no answer: the tour's deadline passed/.test(line))).toBe(true);
    expect(exitCodeOf(report)).toBe(1);
  });

  it('refuses a network that points beyond 127.0.0.1 before sending anything', async () => {
    fake = await startFakeNetwork();
    const plan = planDay({ seed: 14, runId: 'tour-run-d', calls: 20, outageLookups: 2 });
    const network = { ...fake.network, control: 'http://192.0.2.1:4402' };
    await expect(runTour(network, plan, FAST)).rejects.toThrow(/control endpoint .* is not on 127\.0\.0\.1/);
    expect(fake.sent).toEqual([]);
  });
});
