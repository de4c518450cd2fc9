import { requestValidator } from '../../../scripts/demo/backends/request-validator';
import {
  ACCESS_RIGHTS,
  AGENCIES,
  CITIZENS,
  DEMO_REGISTER_NUMBERS,
  DENIED_CALL,
  PERSON_SERVICE,
  RECORDS_SERVICE,
  SERVICES,
} from '../../../scripts/demo/demo-data';
import {
  DEFAULT_CALLS,
  DEFAULT_OUTAGE_LOOKUPS,
  MAX_CALLS,
  SeededRandom,
  countByKind,
  planDay,
  type PlannedCall,
} from '../../../scripts/demo/tour/index';

const RUN_ID = 'tour-test-1';
const plan = planDay({ seed: 1206, runId: RUN_ID });
const ofKind = (kind: PlannedCall['kind']) => plan.calls.filter((call) => call.kind === kind);
const allowed = (call: PlannedCall) =>
  ACCESS_RIGHTS.some(
    (right) => right.service === call.service && right.client === AGENCIES[call.consumer].subsystemId,
  );

describe('SeededRandom', () => {
  it('gives the same numbers for the same seed, others for another, all in [0, 1)', () => {
    const draw = (seed: number) => {
      const random = new SeededRandom(seed);
      return Array.from({ length: 50 }, () => random.next());
    };
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
    for (const value of draw(1)) {
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThan(1);
    }
  });

  it('keeps int() within its bounds, both reached', () => {
    const random = new SeededRandom(3);
    const seen = new Set(Array.from({ length: 500 }, () => random.int(2, 5)));
    expect([...seen].sort()).toEqual([2, 3, 4, 5]);
  });
});

describe('planDay', () => {
  it('is the same day for the same seed, and another day for another seed', () => {
    expect(planDay({ seed: 1206, runId: RUN_ID })).toEqual(plan);
    const other = planDay({ seed: 1207, runId: RUN_ID });
    expect(other.calls.map((call) => [call.consumer, call.subject])).not.toEqual(
      plan.calls.map((call) => [call.consumer, call.subject]),
    );
  });

  it('plans 60 to 120 calls by default, with one violation, one denial, two unknown citizens and the outage', () => {
    expect(plan.calls).toHaveLength(DEFAULT_CALLS);
    expect(DEFAULT_CALLS).toBeGreaterThanOrEqual(60);
    expect(DEFAULT_CALLS).toBeLessThanOrEqual(120);
    expect(countByKind(plan.calls)).toEqual({
      lookup: DEFAULT_CALLS - 4 - DEFAULT_OUTAGE_LOOKUPS,
      unknown: 2,
      denied: 1,
      violation: 1,
      outage: DEFAULT_OUTAGE_LOOKUPS,
    });
  });

  it('keeps to the count asked for, for any seed', () => {
    for (const seed of [0, 1, 42, 99_999]) {
      for (const calls of [20, 61, 120]) {
        const day = planDay({ seed, runId: RUN_ID, calls, outageLookups: 5 });
        expect(day.calls).toHaveLength(calls);
        expect(countByKind(day.calls).outage).toBe(5);
      }
    }
  });

  it('numbers the calls in order, with message ids of the run that never repeat', () => {
    expect(plan.calls.map((call) => call.seq)).toEqual(plan.calls.map((_, index) => index + 1));
    expect(new Set(plan.calls.map((call) => call.id)).size).toBe(plan.calls.length);
    for (const call of plan.calls) expect(call.id).toMatch(/^tour-test-1-\d{3}$/);
  });

  it('runs the morning, then the outage, then the afternoon, its clock never going back', () => {
    const phases = plan.calls.map((call) => call.phase);
    expect(phases.indexOf('outage')).toBeGreaterThan(phases.lastIndexOf('morning'));
    expect(phases.indexOf('afternoon')).toBeGreaterThan(phases.lastIndexOf('outage'));
    const clocks = plan.calls.map((call) => call.clock);
    expect([...clocks].sort()).toEqual(clocks);
    for (const clock of clocks) expect(clock).toMatch(/^(0[89]|1[0-7]):[0-5]\d$/);
  });

  it('has the portal call all three services, and the tax and social insurance offices the civil registry', () => {
    const routes = new Set(ofKind('lookup').map((call) => `${call.consumer} ${call.service}`));
    expect(routes).toEqual(
      new Set([
        ...SERVICES.map((service) => `eServices ${service.id}`),
        `tax ${RECORDS_SERVICE.id}`,
        `socialInsurance ${RECORDS_SERVICE.id}`,
      ]),
    );
  });

  it('calls only what an access right allows, but for the one denied call', () => {
    for (const call of plan.calls.filter((candidate) => candidate.kind !== 'denied')) {
      expect(allowed(call)).toBe(true);
    }
    const [denied] = ofKind('denied');
    expect(denied).toMatchObject({
      consumer: 'tax',
      service: DENIED_CALL.service,
      async: false,
      expect: { status: 400, xRoadError: 'Client.AccessDenied' },
    });
    expect(allowed(denied as PlannedCall)).toBe(false);
  });

  it('sends the malformed register number once, expecting Client.SchemaViolation', () => {
    expect(ofKind('violation')).toEqual([
      expect.objectContaining({
        subject: DEMO_REGISTER_NUMBERS.malformed,
        body: { registerNumber: DEMO_REGISTER_NUMBERS.malformed },
        expect: { status: 400, xRoadError: 'Client.SchemaViolation' },
      }),
    ]);
  });

  it("asks twice for the unknown citizen, sync and async, expecting the backend's own 404", () => {
    const unknown = ofKind('unknown');
    expect(unknown.map((call) => call.async).sort()).toEqual([false, true]);
    for (const call of unknown) {
      expect(call.subject).toBe(DEMO_REGISTER_NUMBERS.unknown);
      expect(call.expect).toEqual({ status: 404, registerNumber: DEMO_REGISTER_NUMBERS.unknown });
    }
  });

  it('queues async lookups of the civil registry during its outage, from each of its consumers', () => {
    const outage = ofKind('outage');
    expect(plan.outage).toEqual({ agency: 'civilRegistry', seconds: 6 });
    expect(outage.every((call) => call.phase === 'outage' && call.async)).toBe(true);
    expect(outage.every((call) => call.service === RECORDS_SERVICE.id)).toBe(true);
    expect(new Set(outage.map((call) => call.consumer))).toEqual(
      new Set(['eServices', 'tax', 'socialInsurance']),
    );
    expect(plan.calls.filter((call) => call.phase === 'outage')).toEqual(outage);
  });

  it('looks up the demo citizens, with bodies that match the request schemas or paths of the REST API', () => {
    const numbers = new Set(CITIZENS.map((person) => person.registerNumber));
    const validators = new Map(
      SERVICES.filter((service) => service.description.kind === 'schemas').map((service) => [
        service.id,
        requestValidator(service),
      ]),
    );
    for (const call of [...ofKind('lookup'), ...ofKind('outage'), ...ofKind('denied')]) {
      expect(numbers.has(call.subject)).toBe(true);
      expect(call.expect).toEqual(
        call.kind === 'denied'
          ? { status: 400, xRoadError: 'Client.AccessDenied' }
          : { status: 200, registerNumber: call.subject },
      );
      if (call.service === RECORDS_SERVICE.id) {
        expect(call).toMatchObject({ method: 'GET', path: `/persons/${encodeURIComponent(call.subject)}` });
        expect(call.body).toBeUndefined();
        continue;
      }
      expect(call).toMatchObject({ method: 'POST', path: '' });
      expect(call.body?.registerNumber).toBe(call.subject);
      expect(validators.get(call.service)?.(call.body)).toEqual([]);
    }
    const [violation] = ofKind('violation');
    expect(validators.get(PERSON_SERVICE.id)?.(violation?.body).length).toBeGreaterThan(0);
  });

  it("looks the auditor's citizen up often, and mixes sync and async", () => {
    expect(plan.auditSubject).toBe(DEMO_REGISTER_NUMBERS.known);
    const about = plan.calls.filter((call) => call.subject === plan.auditSubject && call.kind === 'lookup');
    expect(about.length).toBeGreaterThanOrEqual(10);
    const asyncLookups = ofKind('lookup').filter((call) => call.async).length;
    expect(asyncLookups).toBeGreaterThan(ofKind('lookup').length * 0.15);
    expect(asyncLookups).toBeLessThan(ofKind('lookup').length * 0.5);
    expect(
      planDay({ seed: 5, runId: RUN_ID, asyncShare: 0 }).calls.filter(
        (call) => call.kind === 'lookup' && call.async,
      ),
    ).toEqual([]);
  });

  it('sets X-Road-UserId and X-Road-Issue as each agency would, in ASCII header values', () => {
    for (const call of plan.calls) {
      const pattern = {
        eServices: [/^EMN-USER-\d{6}$/, /^EMN-APP-\d{5}$/],
        tax: [/^TAX-OFF-\d{4}$/, /^TAX-CASE-\d{5}$/],
        socialInsurance: [/^NDS-OFF-\d{4}$/, /^NDS-CLAIM-\d{5}$/],
        civilRegistry: [/^$/, /^$/],
      }[call.consumer];
      expect(call.userId).toMatch(pattern[0] as RegExp);
      expect(call.issue).toMatch(pattern[1] as RegExp);
    }
  });

  it('refuses options out of range', () => {
    expect(() => planDay({ seed: 1, runId: 'has space' })).toThrow(RangeError);
    expect(() => planDay({ seed: 1.5, runId: RUN_ID })).toThrow(/seed/);
    expect(() => planDay({ seed: 1, runId: RUN_ID, calls: MAX_CALLS + 1 })).toThrow(/calls/);
    expect(() => planDay({ seed: 1, runId: RUN_ID, calls: 10, outageLookups: 8 })).toThrow(/calls must be/);
    expect(() => planDay({ seed: 1, runId: RUN_ID, outageLookups: 0 })).toThrow(/outageLookups/);
    expect(() => planDay({ seed: 1, runId: RUN_ID, outageSeconds: 0 })).toThrow(/outageSeconds/);
    expect(() => planDay({ seed: 1, runId: RUN_ID, asyncShare: 2 })).toThrow(/asyncShare/);
  });
});
