/**
 * The tour's report and its summary for a reader: calls by kind and by
 * outcome, the outage's figures, the auditor's findings, and every mismatch.
 * Pure: the report in, text out.
 */
import Table from 'cli-table3';
// Borderless, colourless columns two spaces apart, as the `ortoo` command prints.
import { TABLE_OPTIONS } from '../../../cli/src/output';
import type { AgencyKey } from '../demo-data';
import { describeVerification, type AuditReport } from './auditor';
import { expectedLabel, mismatchLine, outcomeLabel, type CallResult } from './outcome';
import { CALL_KINDS, type CallKind } from './plan';
import { plural } from './text';

/** The outage's figures. */
export interface OutageReport {
  readonly agency: AgencyKey;
  readonly seconds: number;
  /** Lookups sent while it lasted. */
  readonly sent: number;
  /** Of those, answered 202 (queued). */
  readonly queued: number;
  /** Of those, delivered in the end (200). */
  readonly delivered: number;
  /** From the outage's start to the last delivery, when every one was delivered. */
  readonly allDeliveredMs?: number;
  /** From the backend's return to the last delivery, when every one was delivered. */
  readonly afterRecoveryMs?: number;
  /** Most delivery attempts the gateway reported for one of them. */
  readonly maxAttempts: number;
  /** What went wrong with the outage itself (each lookup's own outcome is with the calls). */
  readonly problems: readonly string[];
}

/** Everything the tour found. */
export interface TourReport {
  readonly seed: number;
  readonly runId: string;
  readonly durationMs: number;
  /** Every planned call, in the order of the day. */
  readonly results: readonly CallResult[];
  /** Undefined when the tour did not get that far. */
  readonly outage?: OutageReport;
  /** Undefined when the tour did not get that far. */
  readonly audit?: AuditReport;
  /** What went wrong with the tour itself: its deadline, a step it could not take. */
  readonly problems: readonly string[];
}

/** How the summary names each kind of call. */
const KIND_NAMES: Readonly<Record<CallKind, string>> = {
  lookup: 'lookup',
  unknown: 'unknown citizen',
  denied: 'denied (no access right)',
  violation: 'schema violation',
  outage: 'during the outage',
};

function table(head: string[], rows: (string | number)[][], align: ('left' | 'right')[]): string {
  const rendered = new Table({ ...TABLE_OPTIONS, head, colAligns: align });
  for (const row of rows) rendered.push(row.map(String));
  return rendered
    .toString()
    .split('\n')
    .map((line) => `  ${line.trimEnd()}`)
    .join('\n');
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** Every mismatch of the tour: the calls', the outage's, the auditor's and the tour's own. */
export function mismatchesOf(report: TourReport): string[] {
  return [
    ...report.problems,
    ...report.results.filter((result) => result.problems.length > 0).map(mismatchLine),
    ...(report.outage?.problems ?? []).map((problem) => `outage: ${problem}`),
    ...(report.audit?.problems ?? []).map((problem) => `auditor: ${problem}`),
    ...(report.outage === undefined ? ['outage: not staged'] : []),
    ...(report.audit === undefined ? ['auditor: the audit log was not checked'] : []),
  ];
}

/** 0 when every expectation held, else 1. */
export function exitCodeOf(report: TourReport): 0 | 1 {
  return mismatchesOf(report).length === 0 ? 0 : 1;
}

function callsByKind(results: readonly CallResult[]): string {
  const rows = CALL_KINDS.map((kind) => {
    const ofKind = results.filter((result) => result.call.kind === kind);
    const expected = [...new Set(ofKind.map((result) => expectedLabel(result.call)))].join(', ');
    return [
      KIND_NAMES[kind],
      expected,
      ofKind.length,
      ofKind.filter((result) => !result.call.async).length,
      ofKind.filter((result) => result.call.async).length,
      ofKind.filter((result) => result.problems.length === 0).length,
    ];
  }).filter((row) => row[2] !== 0);
  return table(['calls', 'expected', 'planned', 'sync', 'async', 'as expected'], rows, [
    'left',
    'left',
    'right',
    'right',
    'right',
    'right',
  ]);
}

function callsByOutcome(results: readonly CallResult[]): string {
  const counts = new Map<string, number>();
  for (const { observed } of results) {
    const label = outcomeLabel(observed);
    counts.set(label, (counts.get(label) ?? 0) + 1);
  }
  const rows = [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([label, count]) => [label, count]);
  return table(['outcome', 'calls'], rows, ['left', 'right']);
}

function outageLine(outage: OutageReport): string {
  const head = `${outage.agency}'s backend down for ${outage.seconds} s: ${outage.sent} async lookups sent, ${outage.queued} queued (202)`;
  if (outage.allDeliveredMs === undefined) return `${head}, ${outage.delivered} delivered`;
  const recovery =
    outage.afterRecoveryMs === undefined ? '' : ` (${seconds(outage.afterRecoveryMs)} after recovery)`;
  return (
    `${head}, all ${outage.delivered} delivered ${seconds(outage.allDeliveredMs)} after it began${recovery}, ` +
    `after up to ${plural(outage.maxAttempts, 'failed delivery attempt')}`
  );
}

function auditLines(audit: AuditReport): string[] {
  const records = audit.records === undefined ? 'search failed' : `${audit.records} records`;
  return [
    `Auditor: data subject ${audit.subject}: ${records}; ${audit.found} of the tour's ${audit.expected} answered messages about them found`,
    `Audit log verification: ${audit.verification === undefined ? 'not done' : describeVerification(audit.verification)}`,
  ];
}

/** The summary printed at the end of a tour. */
export function formatSummary(report: TourReport): string {
  const lines = [
    `Örtöö tour (seed ${report.seed}, run ${report.runId}): ${report.results.length} calls in ${seconds(report.durationMs)}`,
    '',
    callsByKind(report.results),
    '',
    callsByOutcome(report.results),
    '',
    report.outage === undefined ? 'Outage: not staged' : `Outage: ${outageLine(report.outage)}`,
    ...(report.audit === undefined ? ['Auditor: not reached'] : auditLines(report.audit)),
    '',
  ];
  const mismatches = mismatchesOf(report);
  if (mismatches.length === 0) {
    lines.push('Every expectation held.');
  } else {
    lines.push(`${mismatches.length} mismatch${mismatches.length === 1 ? '' : 'es'}:`);
    lines.push(...mismatches.map((mismatch) => `  - ${mismatch}`));
  }
  return lines.join('\n');
}
