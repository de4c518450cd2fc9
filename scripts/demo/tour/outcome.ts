/**
 * What became of a call, and whether that is what the plan expected. Pure.
 */
import type { PlannedCall } from './plan';

/** What a call came to. */
export interface Observed {
  /** The answer's status; for an async call, the status its polling ended with. */
  readonly status?: number;
  /** The answer's `X-Road-Error`, when it had one. */
  readonly xRoadError?: string;
  /** The `registerNumber` the answer's JSON body named, when it named one. */
  readonly registerNumber?: string;
  /** For a call sent with `Prefer: respond-async`: whether it was first answered 202 with its id. */
  readonly queued?: boolean;
  /** Delivery attempts the gateway reported while the answer was awaited (async calls). */
  readonly attempts?: number;
  /** Why there is no final answer: no connection, no answer in time, the tour's deadline. */
  readonly failure?: string;
  /** From sending to the final answer. */
  readonly ms: number;
}

/** A call and what it came to; `problems` is empty when it came to what was expected. */
export interface CallResult {
  readonly call: PlannedCall;
  readonly observed: Observed;
  readonly problems: readonly string[];
}

/** `civil-registry/person` for `MN/GOV/9011311/civil-registry/person`. */
export function shortService(serviceId: string): string {
  return serviceId.split('/').slice(-2).join('/');
}

/** `#012 09:41 tax → civil-registry/person УБ99010112 async`: a call, for a reader. */
export function describeCall(call: PlannedCall): string {
  const seq = `#${String(call.seq).padStart(3, '0')}`;
  const mode = call.async ? 'async' : 'sync';
  return `${seq} ${call.clock} ${call.consumer} → ${shortService(call.service)} ${call.subject} ${mode}`;
}

/** `200`, `400 Client.AccessDenied`, or `no answer`: an outcome, for a reader. */
export function outcomeLabel(observed: Observed): string {
  if (observed.status === undefined) return 'no answer';
  return observed.xRoadError === undefined
    ? String(observed.status)
    : `${observed.status} ${observed.xRoadError}`;
}

/** What an expectation asks for, in the words of {@link outcomeLabel}. */
export function expectedLabel(call: PlannedCall): string {
  const { status, xRoadError } = call.expect;
  return xRoadError === undefined ? String(status) : `${status} ${xRoadError}`;
}

/**
 * Compares what a call came to with what its plan expected: the status, the
 * `X-Road-Error` (or its absence: a provider's own answer has none), the
 * register number the body names, and for an async call that it was queued
 * first (202) rather than answered at once.
 *
 * @returns what differs, each in a short sentence; empty when it all held.
 */
export function checkOutcome(call: PlannedCall, observed: Observed): string[] {
  const problems: string[] = [];
  if (call.async && observed.queued !== true && observed.status !== undefined) {
    problems.push(`asked to respond-async but was answered ${outcomeLabel(observed)} at once, not 202`);
    return problems;
  }
  if (observed.failure !== undefined || observed.status === undefined) {
    problems.push(`expected ${expectedLabel(call)}, got no answer: ${observed.failure ?? 'none came'}`);
    return problems;
  }
  const { expect } = call;
  if (observed.status !== expect.status || observed.xRoadError !== expect.xRoadError) {
    problems.push(`expected ${expectedLabel(call)}, got ${outcomeLabel(observed)}`);
  } else if (expect.registerNumber !== undefined && observed.registerNumber !== expect.registerNumber) {
    const named = observed.registerNumber === undefined ? 'none' : observed.registerNumber;
    problems.push(`the answer names register number ${named}, not ${expect.registerNumber}`);
  }
  return problems;
}

/** A call and its outcome judged. */
export function judge(call: PlannedCall, observed: Observed): CallResult {
  return { call, observed, problems: checkOutcome(call, observed) };
}

/** `#012 09:41 tax → civil-registry/person УБ99010112 async: expected 200, got 500 …`. */
export function mismatchLine(result: CallResult): string {
  return `${describeCall(result.call)}: ${result.problems.join('; ')}`;
}
