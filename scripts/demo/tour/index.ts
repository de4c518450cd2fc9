/**
 * The demo tour: a planned day of traffic through a running demo network,
 * its progress, and the summary and verdict at the end. `scripts/demo/tour.ts`
 * is the command (`npm run demo:tour`).
 */
export {
  AuditorClient,
  describeVerification,
  expectedAccepted,
  judgeAudit,
  type AuditReport,
  type SubjectSearch,
  type VerificationResult,
} from './auditor';
export { TourSetupError, describeFailure, httpRequest, loopbackUrl, type HttpAnswer } from './http';
export { startOutage, type StartedOutage } from './network-control';
export {
  checkOutcome,
  describeCall,
  expectedLabel,
  judge,
  mismatchLine,
  outcomeLabel,
  shortService,
  type CallResult,
  type Observed,
} from './outcome';
export {
  CALL_KINDS,
  DEFAULT_ASYNC_SHARE,
  DEFAULT_CALLS,
  DEFAULT_OUTAGE_LOOKUPS,
  DEFAULT_OUTAGE_SECONDS,
  MAX_CALLS,
  agencyOf,
  countByKind,
  expectationOf,
  planDay,
  providerOf,
  type CallKind,
  type DayPlan,
  type DayPlanOptions,
  type Expectation,
  type Phase,
  type PlannedCall,
  type PlannedOutage,
} from './plan';
export { BarProgress, LineProgress, createProgress, progressLine, type TourProgress } from './progress';
export { ProxyClient, callHeaders, observe, servicePath } from './proxy-client';
export { SeededRandom } from './random';
export { runTour, type TourOptions } from './run';
export { exitCodeOf, formatSummary, mismatchesOf, type OutageReport, type TourReport } from './summary';
