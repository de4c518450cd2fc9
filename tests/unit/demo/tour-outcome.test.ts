import {
  checkOutcome,
  describeCall,
  expectationOf,
  judge,
  mismatchLine,
  outcomeLabel,
  planDay,
  type PlannedCall,
} from '../../../scripts/demo/tour/index';

const plan = planDay({ seed: 1206, runId: 'tour-test' });
const first = (predicate: (call: PlannedCall) => boolean): PlannedCall => {
  const call = plan.calls.find(predicate);
  if (call === undefined) throw new Error('the plan has no such call');
  return call;
};
const syncLookup = first((call) => call.kind === 'lookup' && !call.async);
const asyncLookup = first((call) => call.kind === 'lookup' && call.async);
const denied = first((call) => call.kind === 'denied');
const violation = first((call) => call.kind === 'violation');
const unknown = first((call) => call.kind === 'unknown' && !call.async);

describe('checkOutcome', () => {
  it('accepts a lookup answered 200 about the citizen asked for', () => {
    expect(checkOutcome(syncLookup, { status: 200, registerNumber: syncLookup.subject, ms: 12 })).toEqual([]);
  });

  it('refuses another status, an X-Road-Error, or an answer about someone else', () => {
    expect(
      checkOutcome(syncLookup, { status: 500, xRoadError: 'Server.ServerProxy.NetworkError', ms: 1 }),
    ).toEqual(['expected 200, got 500 Server.ServerProxy.NetworkError']);
    expect(checkOutcome(syncLookup, { status: 200, xRoadError: 'Client.Odd', ms: 1 })).toEqual([
      'expected 200, got 200 Client.Odd',
    ]);
    expect(checkOutcome(syncLookup, { status: 200, registerNumber: 'ЧБ00000000', ms: 1 })).toEqual([
      `the answer names register number ЧБ00000000, not ${syncLookup.subject}`,
    ]);
    expect(checkOutcome(syncLookup, { status: 200, ms: 1 })).toEqual([
      `the answer names register number none, not ${syncLookup.subject}`,
    ]);
  });

  it('wants the X-Road error types of a denial and a schema violation', () => {
    expect(checkOutcome(denied, { status: 400, xRoadError: 'Client.AccessDenied', ms: 1 })).toEqual([]);
    expect(checkOutcome(denied, { status: 200, registerNumber: denied.subject, ms: 1 })).toEqual([
      'expected 400 Client.AccessDenied, got 200',
    ]);
    expect(checkOutcome(violation, { status: 400, xRoadError: 'Client.SchemaViolation', ms: 1 })).toEqual([]);
    expect(checkOutcome(violation, { status: 400, ms: 1 })).toEqual([
      'expected 400 Client.SchemaViolation, got 400',
    ]);
  });

  it("wants the unknown citizen's 404 to be the backend's own, naming the number", () => {
    expect(checkOutcome(unknown, { status: 404, registerNumber: unknown.subject, ms: 1 })).toEqual([]);
    expect(checkOutcome(unknown, { status: 404, xRoadError: 'Client.NotFound', ms: 1 })).toEqual([
      'expected 404, got 404 Client.NotFound',
    ]);
  });

  it('wants an async call queued (202) first, then the expected answer', () => {
    const answer = { status: 200, registerNumber: asyncLookup.subject, ms: 300 };
    expect(checkOutcome(asyncLookup, { ...answer, queued: true, attempts: 0 })).toEqual([]);
    expect(checkOutcome(asyncLookup, { ...answer, queued: false })).toEqual([
      'asked to respond-async but was answered 200 at once, not 202',
    ]);
  });

  it('reports a call without an answer, with why', () => {
    expect(checkOutcome(syncLookup, { failure: 'fetch failed (ECONNREFUSED)', ms: 3 })).toEqual([
      'expected 200, got no answer: fetch failed (ECONNREFUSED)',
    ]);
    expect(checkOutcome(asyncLookup, { failure: "the tour's deadline passed", queued: true, ms: 3 })).toEqual(
      ["expected 200, got no answer: the tour's deadline passed"],
    );
  });
});

describe('describing calls and outcomes', () => {
  it('names a call by its place, time, consumer, service, subject and mode', () => {
    expect(describeCall(syncLookup)).toBe(
      `#${String(syncLookup.seq).padStart(3, '0')} ${syncLookup.clock} ${syncLookup.consumer} → ` +
        `${syncLookup.service.split('/').slice(-2).join('/')} ${syncLookup.subject} sync`,
    );
  });

  it('labels an outcome by status and X-Road error', () => {
    expect(outcomeLabel({ status: 200, ms: 0 })).toBe('200');
    expect(outcomeLabel({ status: 400, xRoadError: 'Client.AccessDenied', ms: 0 })).toBe(
      '400 Client.AccessDenied',
    );
    expect(outcomeLabel({ failure: 'x', ms: 0 })).toBe('no answer');
  });

  it('puts a mismatch on one line', () => {
    const result = judge(denied, { status: 200, ms: 1 });
    expect(mismatchLine(result)).toBe(`${describeCall(denied)}: expected 400 Client.AccessDenied, got 200`);
  });

  it('expects what each kind of call should come to', () => {
    expect(expectationOf('lookup', 'УБ99010112')).toEqual({ status: 200, registerNumber: 'УБ99010112' });
    expect(expectationOf('outage', 'УБ99010112')).toEqual({ status: 200, registerNumber: 'УБ99010112' });
    expect(expectationOf('unknown', 'ЖЧ88123145')).toEqual({ status: 404, registerNumber: 'ЖЧ88123145' });
    expect(expectationOf('denied', 'x')).toEqual({ status: 400, xRoadError: 'Client.AccessDenied' });
    expect(expectationOf('violation', 'x')).toEqual({ status: 400, xRoadError: 'Client.SchemaViolation' });
  });
});
