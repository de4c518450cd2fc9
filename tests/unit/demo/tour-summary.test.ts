import {
  LineProgress,
  createProgress,
  describeVerification,
  exitCodeOf,
  expectedAccepted,
  formatSummary,
  judge,
  judgeAudit,
  mismatchesOf,
  planDay,
  progressLine,
  type CallResult,
  type Observed,
  type OutageReport,
  type PlannedCall,
  type TourReport,
  type VerificationResult,
} from '../../../scripts/demo/tour/index';

const plan = planDay({ seed: 1206, runId: 'tour-test', calls: 30, outageLookups: 4 });

/** What each call comes to when everything works. */
function asExpected(call: PlannedCall): Observed {
  const { status, xRoadError, registerNumber } = call.expect;
  return {
    status,
    ...(xRoadError === undefined ? {} : { xRoadError }),
    ...(registerNumber === undefined ? {} : { registerNumber }),
    ...(call.async ? { queued: true, attempts: call.kind === 'outage' ? 3 : 0 } : {}),
    ms: 40,
  };
}

const goodResults: CallResult[] = plan.calls.map((call) => judge(call, asExpected(call)));
const VERIFIED: VerificationResult = { ok: true, records: 1234, chains: 2, checkpoints: 15 };
const OUTAGE: OutageReport = {
  agency: 'civilRegistry',
  seconds: 6,
  sent: 4,
  queued: 4,
  delivered: 4,
  allDeliveredMs: 7600,
  afterRecoveryMs: 1600,
  maxAttempts: 3,
  problems: [],
};

function report(overrides: Partial<TourReport> = {}): TourReport {
  const expected = expectedAccepted(goodResults, plan.auditSubject);
  return {
    seed: plan.seed,
    runId: plan.runId,
    durationMs: 38_200,
    results: goodResults,
    outage: OUTAGE,
    audit: judgeAudit(
      plan.auditSubject,
      expected,
      { records: 2 * expected.length + 3, acceptedMessageIds: new Set(expected) },
      VERIFIED,
    ),
    problems: [],
    ...overrides,
  };
}

describe('the summary', () => {
  it('says every expectation held, with the calls by kind and outcome, the outage and the audit', () => {
    const good = report();
    expect(mismatchesOf(good)).toEqual([]);
    expect(exitCodeOf(good)).toBe(0);
    const text = formatSummary(good);
    expect(text).toContain('Örtöö tour (seed 1206, run tour-test): 30 calls in 38.2 s');
    expect(text).toMatch(/calls\s+expected\s+planned\s+sync\s+async\s+as expected/);
    expect(text).toMatch(/denied \(no access right\)\s+400 Client\.AccessDenied\s+1\s+1\s+0\s+1/);
    expect(text).toMatch(/schema violation\s+400 Client\.SchemaViolation\s+1\s+1\s+0\s+1/);
    expect(text).toMatch(/unknown citizen\s+404\s+2\s+1\s+1\s+2/);
    expect(text).toMatch(/during the outage\s+200\s+4\s+0\s+4\s+4/);
    expect(text).toMatch(/^\s+400 Client\.AccessDenied\s+1$/m);
    expect(text).toContain(
      "Outage: civilRegistry's backend down for 6 s: 4 async lookups sent, 4 queued (202), " +
        'all 4 delivered 7.6 s after it began (1.6 s after recovery), after up to 3 failed delivery attempts',
    );
    const expected = good.audit?.expected ?? 0;
    expect(expected).toBeGreaterThan(0);
    expect(text).toContain(
      `Auditor: data subject УБ99010112: ${2 * expected + 3} records; ${expected} of the tour's ${expected} answered messages about them found`,
    );
    expect(text).toContain('Audit log verification: ok (1234 records, 2 chains, 15 checkpoints)');
    expect(text.trimEnd().endsWith('Every expectation held.')).toBe(true);
  });

  it('lists every mismatch and exits 1', () => {
    const results = [...goodResults];
    const deniedAt = results.findIndex((result) => result.call.kind === 'denied');
    const denied = results[deniedAt] as CallResult;
    results[deniedAt] = judge(denied.call, { status: 200, registerNumber: denied.call.subject, ms: 5 });
    const broken: VerificationResult = {
      ok: false,
      problem: {
        kind: 'hash-mismatch',
        seq: 17,
        writer: 'gw-1',
        chainSeq: 9,
        message: 'the row was changed',
      },
    };
    const bad = report({
      results,
      outage: {
        ...OUTAGE,
        delivered: 3,
        allDeliveredMs: undefined,
        afterRecoveryMs: undefined,
        problems: ['3 of 4 lookups were delivered'],
      },
      audit: judgeAudit(
        plan.auditSubject,
        ['tour-test-001'],
        new Error('GET /v1/audit/records answered 401'),
        broken,
      ),
      problems: ["the tour's deadline of 120 s passed"],
    });
    const mismatches = mismatchesOf(bad);
    expect(mismatches).toEqual([
      "the tour's deadline of 120 s passed",
      expect.stringMatching(
        /^#\d{3} .* tax → social-insurance\/contributions .*: expected 400 Client\.AccessDenied, got 200$/,
      ),
      'outage: 3 of 4 lookups were delivered',
      "auditor: the auditor's search for УБ99010112 failed: GET /v1/audit/records answered 401",
      "auditor: the audit log's verification FAILED: hash-mismatch at seq 17 (writer gw-1): the row was changed",
    ]);
    expect(exitCodeOf(bad)).toBe(1);
    const text = formatSummary(bad);
    expect(text).toContain('5 mismatches:');
    for (const mismatch of mismatches) expect(text).toContain(`  - ${mismatch}`);
    expect(text).toContain('4 async lookups sent, 4 queued (202), 3 delivered');
    expect(text).toContain('Audit log verification: FAILED: hash-mismatch at seq 17 (writer gw-1)');
    expect(text).toContain("Auditor: data subject УБ99010112: search failed; 0 of the tour's 1 answered");
  });

  it('counts a tour that never reached the outage or the auditor as failed', () => {
    const partial = report({ outage: undefined, audit: undefined });
    expect(mismatchesOf(partial)).toEqual(['outage: not staged', 'auditor: the audit log was not checked']);
    expect(formatSummary(partial)).toContain('Outage: not staged');
    expect(formatSummary(partial)).toContain('Auditor: not reached');
  });
});

describe("the auditor's judgement", () => {
  const expected = expectedAccepted(goodResults, plan.auditSubject);

  it("expects the subject's answered messages, not the refused ones nor other citizens'", () => {
    const about = goodResults.filter((result) => result.call.subject === plan.auditSubject);
    const answered = about.filter((result) => result.observed.xRoadError === undefined);
    expect(expected).toEqual(answered.map((result) => result.call.id));
    expect(expected.length).toBeGreaterThan(0);
    const failed = goodResults.map((result) =>
      result.call.id === expected[0] ? judge(result.call, { failure: 'x', ms: 1 }) : result,
    );
    expect(expectedAccepted(failed, plan.auditSubject)).toEqual(expected.slice(1));
  });

  it('names the messages the log lacks', () => {
    const audit = judgeAudit(
      plan.auditSubject,
      expected,
      { records: 3, acceptedMessageIds: new Set(expected.slice(1)) },
      VERIFIED,
    );
    expect(audit.found).toBe(expected.length - 1);
    expect(audit.problems).toEqual([
      `the audit log has no accepted record about УБ99010112 for 1 of the tour's ${expected.length} messages: ${expected[0]}`,
    ]);
  });

  it('reports a verification that did not run', () => {
    const audit = judgeAudit(
      plan.auditSubject,
      [],
      { records: 0, acceptedMessageIds: new Set() },
      new Error('503'),
    );
    expect(audit.problems).toEqual(["the audit log's verification failed to run: 503"]);
    expect(audit.verification).toBeUndefined();
  });

  it('describes a verification', () => {
    expect(describeVerification(VERIFIED)).toBe('ok (1234 records, 2 chains, 15 checkpoints)');
    expect(
      describeVerification({
        ok: false,
        problem: { kind: 'bad-checkpoint', checkpointId: 4, writer: 'w', message: 'bad signature' },
      }),
    ).toBe('FAILED: bad-checkpoint at checkpoint 4 (writer w): bad signature');
  });
});

describe('the progress display', () => {
  it('writes one plain line per call when not in a terminal, mismatches marked', () => {
    const written: string[] = [];
    const stream = { isTTY: false, write: (text: string) => written.push(text) };
    const progress = createProgress(stream as unknown as NodeJS.WriteStream);
    expect(progress).toBeInstanceOf(LineProgress);
    progress.start(2);
    progress.note('Morning: 2 calls');
    const [ok, wrong] = goodResults as [CallResult, CallResult];
    progress.update(ok);
    progress.update(judge(wrong.call, { failure: 'fetch failed (ECONNREFUSED)', ms: 2 }));
    progress.stop();
    expect(written).toEqual([
      'Morning: 2 calls\n',
      `[1/2] ${progressLine(1, 2, ok).slice(6)}\n`,
      expect.stringMatching(
        /^\[2\/2\] #002 .* → no answer MISMATCH: expected 200, got no answer: fetch failed \(ECONNREFUSED\) \(2 ms\)\n$/,
      ),
    ]);
  });

  it('pads the count to the total', () => {
    expect(progressLine(7, 120, goodResults[0] as CallResult)).toMatch(
      /^\[ {2}7\/120\] #001 08:30 .* → 200 ok \(40 ms\)$/,
    );
  });
});
