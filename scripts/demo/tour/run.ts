/**
 * Runs a planned day through a running demo network: the morning's calls,
 * the civil registry's outage with async lookups queued meanwhile, the
 * afternoon's calls, and the auditor's check at the end. Every step is
 * bounded by one deadline; whatever it does not get to is reported, never
 * waited for.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { AGENCIES, type AgencyKey } from '../demo-data';
import type { DemoNetworkFile } from '../network-file';
import { AuditorClient, expectedAccepted, judgeAudit, type AuditReport } from './auditor';
import { describeFailure, field, loopbackUrl } from './http';
import { startOutage } from './network-control';
import { judge, type CallResult, type Observed } from './outcome';
import type { DayPlan, Phase, PlannedCall } from './plan';
import { LineProgress, type TourProgress } from './progress';
import { ProxyClient, observe } from './proxy-client';
import type { OutageReport, TourReport } from './summary';

/** Options of {@link runTour}. */
export interface TourOptions {
  /**
   * Ordinary calls in flight at once.
   * @defaultValue 4
   */
  concurrency?: number;
  /**
   * The whole tour's time limit, in milliseconds.
   * @defaultValue 120000
   */
  deadlineMs?: number;
  /**
   * How often an async call's answer is asked for, in milliseconds.
   * @defaultValue 250
   */
  pollIntervalMs?: number;
  /**
   * Longest wait for one HTTP answer, in milliseconds (a sync call waits for its provider).
   * @defaultValue 30000
   */
  requestTimeoutMs?: number;
  /**
   * Where progress goes.
   * @defaultValue plain lines on stderr
   */
  progress?: TourProgress;
  /**
   * The clock, in milliseconds since the epoch (the outage's `until` is compared with it).
   * @defaultValue Date.now
   */
  now?: () => number;
}

/** A delivery earlier than this before the backend's announced return means the outage did not hold. */
const OUTAGE_TOLERANCE_MS = 1000;

const NOT_SENT = "not sent: the tour's deadline had passed";
const DEADLINE = "the tour's deadline passed";

/** Runs `work` on each item, at most `concurrency` at once, in order of the items. */
async function inPool<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next] as T;
      next += 1;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
}

/**
 * Runs `plan` against `network` and reports what every call came to, the
 * outage's figures and the auditor's findings. It never throws for what the
 * network does (that is in the report); only for a network description that
 * points beyond 127.0.0.1.
 *
 * @throws TourSetupError when a URL of the network is not on 127.0.0.1.
 */
export async function runTour(
  network: DemoNetworkFile,
  plan: DayPlan,
  options: TourOptions = {},
): Promise<TourReport> {
  const {
    concurrency = 4,
    deadlineMs = 120_000,
    pollIntervalMs = 250,
    requestTimeoutMs = 30_000,
    progress = new LineProgress(process.stderr),
    now = Date.now,
  } = options;

  // Every target checked before the first call: 127.0.0.1 only.
  const clients = new Map<AgencyKey, ProxyClient>();
  for (const key of new Set(plan.calls.map((call) => call.consumer))) {
    clients.set(key, new ProxyClient(network.agencies[key], AGENCIES[key].nameEn));
  }
  const auditor = new AuditorClient(network.gateway.adminUrl, network.tokens.auditor);
  loopbackUrl(network.control, 'the control endpoint');

  const deadline = AbortSignal.timeout(deadlineMs);
  const requestSignal = () => AbortSignal.any([deadline, AbortSignal.timeout(requestTimeoutMs)]);
  const started = now();
  const results: CallResult[] = [];

  /** Sends a call and, when async, polls its answer until it is final. */
  const execute = async (call: PlannedCall): Promise<Observed> => {
    if (deadline.aborted) return { failure: NOT_SENT, ms: 0 };
    const client = clients.get(call.consumer) as ProxyClient;
    const sent = now();
    let queued = false;
    let attempts = 0;
    const polled = () => ({ ...(call.async ? { queued } : {}), ...(queued ? { attempts } : {}) });
    try {
      const first = await client.send(call, requestSignal());
      if (!call.async || first.status !== 202) return { ...observe(first), ...polled(), ms: now() - sent };
      queued = true;
      const id = field(first.json, 'id');
      for (;;) {
        await sleep(pollIntervalMs, undefined, { signal: deadline });
        const answer = await client.message(typeof id === 'string' ? id : call.id, requestSignal());
        if (answer.status !== 202) return { ...observe(answer), ...polled(), ms: now() - sent };
        const made = field(answer.json, 'attempts');
        if (typeof made === 'number' && made > attempts) attempts = made;
      }
    } catch (error) {
      return { failure: deadline.aborted ? DEADLINE : describeFailure(error), ...polled(), ms: now() - sent };
    }
  };

  const record = (call: PlannedCall, observed: Observed): CallResult => {
    const result = judge(call, observed);
    results.push(result);
    progress.update(result);
    return result;
  };

  const ofPhase = (phase: Phase) => plan.calls.filter((call) => call.phase === phase);
  const ordinary = async (phase: Phase, what: string) => {
    const calls = ofPhase(phase);
    progress.note(`${calls[0]?.clock ?? ''} ${what}: ${calls.length} calls`);
    await inPool(calls, concurrency, async (call) => {
      record(call, await execute(call));
    });
  };

  /** The outage: the provider's backend down, async lookups queued meanwhile, delivered after. */
  const outage = async (): Promise<OutageReport> => {
    const calls = ofPhase('outage');
    const { agency, seconds } = plan.outage;
    const problems: string[] = [];
    progress.note(
      `${calls[0]?.clock ?? '12:00'} ${AGENCIES[agency].nameEn}'s backend goes down for ${seconds} s; ` +
        `${calls.length} async lookups meanwhile`,
    );
    const began = now();
    let until: number | undefined;
    try {
      if (deadline.aborted) throw new Error(DEADLINE);
      until = (await startOutage(network.control, agency, seconds, requestSignal())).until.getTime();
    } catch (error) {
      problems.push(`could not be started: ${describeFailure(error)}`);
    }
    const ended = await Promise.all(
      calls.map(async (call) => {
        const result = record(call, await execute(call));
        return { result, at: now() };
      }),
    );
    const delivered = ended.filter(({ result }) => result.observed.status === 200);
    const last = Math.max(...delivered.map(({ at }) => at));
    const all = delivered.length === calls.length && calls.length > 0;
    if (until !== undefined) {
      const early = delivered.filter(({ at }) => at < (until as number) - OUTAGE_TOLERANCE_MS).length;
      if (early > 0)
        problems.push(`${early} lookups were answered before the backend came back: it never went down`);
    }
    if (!all) problems.push(`${delivered.length} of ${calls.length} lookups were delivered`);
    return {
      agency,
      seconds,
      sent: calls.length,
      queued: ended.filter(({ result }) => result.observed.queued === true).length,
      delivered: delivered.length,
      ...(all ? { allDeliveredMs: last - began } : {}),
      ...(all && until !== undefined ? { afterRecoveryMs: Math.max(0, last - until) } : {}),
      maxAttempts: Math.max(0, ...ended.map(({ result }) => result.observed.attempts ?? 0)),
      problems,
    };
  };

  /** The auditor's search for one data subject, and the log's verification. */
  const audit = async (): Promise<AuditReport> => {
    progress.note(`17:45 the auditor looks up ${plan.auditSubject} and has the audit log verified`);
    const failed = (error: unknown) => new Error(deadline.aborted ? DEADLINE : describeFailure(error));
    const search = await auditor.searchSubject(plan.auditSubject, requestSignal()).catch(failed);
    // Verification reads the whole log: bounded by the tour's deadline only.
    const verification = await auditor.verify(deadline).catch(failed);
    return judgeAudit(plan.auditSubject, expectedAccepted(results, plan.auditSubject), search, verification);
  };

  progress.start(plan.calls.length);
  let outageReport: OutageReport;
  let auditReport: AuditReport;
  try {
    await ordinary('morning', 'Morning');
    outageReport = await outage();
    await ordinary('afternoon', 'Afternoon');
    auditReport = await audit();
  } finally {
    progress.stop();
  }
  const order = new Map(plan.calls.map((call, index) => [call.id, index]));
  results.sort((a, b) => (order.get(a.call.id) ?? 0) - (order.get(b.call.id) ?? 0));
  return {
    seed: plan.seed,
    runId: plan.runId,
    durationMs: now() - started,
    results,
    outage: outageReport,
    audit: auditReport,
    problems: deadline.aborted ? [`the tour's deadline of ${Math.round(deadlineMs / 1000)} s passed`] : [],
  };
}
