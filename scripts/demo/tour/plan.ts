/**
 * The tour's day as data: every call it will make, in order, with what it
 * must come to. Pure: the same options give the same day, so a plan can be
 * printed, repeated and tested without a network.
 */
import {
  AGENCIES,
  CITIZENS,
  CONTRIBUTIONS_SERVICE,
  DEMO_REGISTER_NUMBERS,
  DENIED_CALL,
  PERSON_SERVICE,
  RECORDS_SERVICE,
  TAXPAYER_STATUS_SERVICE,
  type AgencyKey,
  type DemoService,
} from '../demo-data';
import { SeededRandom } from './random';

/**
 * What a call is for: an ordinary `lookup` of a known citizen; an `unknown`
 * citizen (the provider's own 404, passed through); a `denied` call (no
 * access right); a schema `violation`; an `outage` lookup, sent
 * asynchronously while the provider's backend is down.
 */
export type CallKind = 'lookup' | 'unknown' | 'denied' | 'violation' | 'outage';

/** The parts of the day, run one after the other. */
export type Phase = 'morning' | 'outage' | 'afternoon';

/** Every kind, in the order summaries list them. */
export const CALL_KINDS: readonly CallKind[] = ['lookup', 'unknown', 'denied', 'violation', 'outage'];

/** What a call must come to (for an async call: the answer its polling ends with). */
export interface Expectation {
  readonly status: number;
  /** The `X-Road-Error` wanted; undefined when there must be none (the provider's own answer). */
  readonly xRoadError?: string;
  /** The register number the answer's body must name (`registerNumber`), when it must name one. */
  readonly registerNumber?: string;
}

/** One call of the day. */
export interface PlannedCall {
  /** Its place in the day, from 1. */
  readonly seq: number;
  /** Its `X-Road-Id`: the run's id and `seq`, so the auditor can find it. */
  readonly id: string;
  readonly phase: Phase;
  /** `HH:MM` of the demo day, for the reader. */
  readonly clock: string;
  readonly kind: CallKind;
  /** The agency whose client proxy sends it, as its own subsystem. */
  readonly consumer: AgencyKey;
  /** The service id called. */
  readonly service: string;
  /** `POST` of a JSON body to a single-schema service; `GET` of a resource of the civil registry's REST API. */
  readonly method: 'GET' | 'POST';
  /** The path below the service: `''`, or e.g. `/persons/%D0%A3…` (percent-encoded, as sent). */
  readonly path: string;
  /** The JSON body sent with a `POST`. */
  readonly body?: Readonly<Record<string, string>>;
  /** The register number asked about (the data subject), as sent. */
  readonly subject: string;
  /** `X-Road-UserId`: the officer, or the portal's user, on whose behalf it is sent. */
  readonly userId: string;
  /** `X-Road-Issue`: the case, claim or application it is for. */
  readonly issue: string;
  /** Sent with `Prefer: respond-async`, its answer polled at `/r1/messages/{id}`. */
  readonly async: boolean;
  readonly expect: Expectation;
}

/** The provider's backend the plan takes down, and for how long. */
export interface PlannedOutage {
  readonly agency: AgencyKey;
  readonly seconds: number;
}

/** A day of traffic. */
export interface DayPlan {
  readonly seed: number;
  readonly runId: string;
  /** In the order of the day: the morning's, the outage's, the afternoon's. */
  readonly calls: readonly PlannedCall[];
  readonly outage: PlannedOutage;
  /** The citizen the auditor looks up at the end. */
  readonly auditSubject: string;
}

/** Options of {@link planDay}. */
export interface DayPlanOptions {
  /** Seed of the day's choices: the same seed, the same day. */
  seed: number;
  /** This run's id, the prefix of every message id: 1–64 of `A-Z a-z 0-9 . _ -`, new for each run. */
  runId: string;
  /**
   * Calls in all, the special ones and the outage's included.
   * @defaultValue {@link DEFAULT_CALLS}
   */
  calls?: number;
  /**
   * Async lookups sent while the provider is down.
   * @defaultValue {@link DEFAULT_OUTAGE_LOOKUPS}
   */
  outageLookups?: number;
  /**
   * How long the provider's backend stays down.
   * @defaultValue {@link DEFAULT_OUTAGE_SECONDS}
   */
  outageSeconds?: number;
  /**
   * Share of the ordinary calls sent asynchronously.
   * @defaultValue {@link DEFAULT_ASYNC_SHARE}
   */
  asyncShare?: number;
}

export const DEFAULT_CALLS = 90;
export const DEFAULT_OUTAGE_LOOKUPS = 8;
export const DEFAULT_OUTAGE_SECONDS = 6;
export const DEFAULT_ASYNC_SHARE = 0.3;
/** Most calls a plan may have: the tour is bounded. */
export const MAX_CALLS = 500;
/** Calls that are not ordinary lookups nor the outage's: a violation, a denial, two unknown citizens. */
const SPECIAL_CALLS = 4;
/** Fewest ordinary lookups, so that each half of the day has some. */
const MIN_LOOKUPS = 2;

/** Who calls what in ordinary traffic, and how often: the portal everything, the others the civil registry. */
const ROUTES: readonly (readonly [readonly [AgencyKey, DemoService], number])[] = [
  [['eServices', PERSON_SERVICE], 10],
  [['eServices', RECORDS_SERVICE], 10],
  [['eServices', TAXPAYER_STATUS_SERVICE], 15],
  [['eServices', CONTRIBUTIONS_SERVICE], 15],
  [['tax', RECORDS_SERVICE], 25],
  [['socialInsurance', RECORDS_SERVICE], 25],
];

/** The consumers allowed the civil registry, who send the lookups during its outage. */
const PERSON_CONSUMERS: readonly AgencyKey[] = ['eServices', 'tax', 'socialInsurance'];

/** The officers of the agencies that look citizens up themselves. */
const OFFICERS: Readonly<Partial<Record<AgencyKey, readonly string[]>>> = {
  tax: ['TAX-OFF-0412', 'TAX-OFF-0587', 'TAX-OFF-1123', 'TAX-OFF-1390'],
  socialInsurance: ['NDS-OFF-0231', 'NDS-OFF-0764', 'NDS-OFF-0918'],
};

/** How each agency numbers the matters it works on. */
const ISSUE_PREFIX: Readonly<Record<AgencyKey, string>> = {
  civilRegistry: 'UBEG-REQ',
  tax: 'TAX-CASE',
  socialInsurance: 'NDS-CLAIM',
  eServices: 'EMN-APP',
};

/** The known citizen is looked up more often than the others, so the auditor has a story to find. */
const CITIZEN_WEIGHTS: readonly (readonly [string, number])[] = CITIZENS.map((person) => [
  person.registerNumber,
  person.registerNumber === DEMO_REGISTER_NUMBERS.known ? 3 : 1,
]);

const RUN_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** The demo day's hours, in minutes after midnight. */
const HOURS: Readonly<Record<Phase, readonly [number, number]>> = {
  morning: [8 * 60 + 30, 12 * 60],
  outage: [12 * 60, 12 * 60 + 30],
  afternoon: [13 * 60, 17 * 60 + 30],
};

/** The agency whose subsystem is `subsystemId`. */
export function agencyOf(subsystemId: string): AgencyKey {
  const agency = Object.values(AGENCIES).find((candidate) => candidate.subsystemId === subsystemId);
  if (agency === undefined) throw new Error(`${subsystemId} is no demo agency's subsystem`);
  return agency.key;
}

/** The agency that provides `serviceId`. */
export function providerOf(serviceId: string): AgencyKey {
  const agency = Object.values(AGENCIES).find((candidate) =>
    candidate.services.some((service) => service.id === serviceId),
  );
  if (agency === undefined) throw new Error(`${serviceId} is no demo service`);
  return agency.key;
}

/** What a call of `kind` about `subject` must come to. */
export function expectationOf(kind: CallKind, subject: string): Expectation {
  switch (kind) {
    case 'lookup':
    case 'outage':
    case 'unknown':
      // The provider's own answer (200 with the citizen, or its 404 naming the number), no X-Road-Error.
      return { status: kind === 'unknown' ? 404 : 200, registerNumber: subject };
    case 'denied':
      return { status: 400, xRoadError: 'Client.AccessDenied' };
    case 'violation':
      return { status: 400, xRoadError: 'Client.SchemaViolation' };
  }
}

/** A call before it has its place in the day. */
type Draft = Omit<PlannedCall, 'seq' | 'id' | 'phase' | 'clock'>;

function digits(random: SeededRandom, count: number): string {
  let text = '';
  for (let i = 0; i < count; i += 1) text += String(random.int(0, 9));
  return text;
}

/** A month of the social insurance's records, `YYYY-MM`, 2023-01 plus `index` months. */
function month(index: number): string {
  return `${2023 + Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

function requestFor(
  random: SeededRandom,
  service: string,
  subject: string,
): Pick<PlannedCall, 'method' | 'path' | 'body'> {
  // The civil registry's REST API names the citizen in the path.
  if (service === RECORDS_SERVICE.id)
    return { method: 'GET', path: `/persons/${encodeURIComponent(subject)}` };
  const post = (body: Record<string, string>) => ({ method: 'POST' as const, path: '', body });
  if (service !== CONTRIBUTIONS_SERVICE.id || random.chance(0.5)) return post({ registerNumber: subject });
  // A range of months (both included, from ≤ to), as an officer checking a claim asks.
  const first = random.int(0, 23);
  const last = random.int(first, 23);
  return post({ registerNumber: subject, from: month(first), to: month(last) });
}

function draft(
  random: SeededRandom,
  kind: CallKind,
  consumer: AgencyKey,
  service: string,
  subject: string,
  async: boolean,
): Draft {
  const officers = OFFICERS[consumer];
  // The portal acts for the citizen signed in to it; the agencies for their officers.
  const userId = officers === undefined ? `EMN-USER-${digits(random, 6)}` : random.pick(officers);
  return {
    kind,
    consumer,
    service,
    ...requestFor(random, service, subject),
    subject,
    userId,
    issue: `${ISSUE_PREFIX[consumer]}-${digits(random, 5)}`,
    async,
    expect: expectationOf(kind, subject),
  };
}

function ordinaryLookups(random: SeededRandom, count: number, asyncShare: number): Draft[] {
  return Array.from({ length: count }, () => {
    const [consumer, service] = random.weighted(ROUTES);
    const subject = random.weighted(CITIZEN_WEIGHTS);
    return draft(random, 'lookup', consumer, service.id, subject, random.chance(asyncShare));
  });
}

/** Puts each of `extra` at a random place in `calls`. */
function insertAtRandom(random: SeededRandom, calls: Draft[], extra: readonly Draft[]): Draft[] {
  const day = [...calls];
  for (const call of extra) day.splice(random.int(0, day.length), 0, call);
  return day;
}

/** `HH:MM` of the `index`-th of `count` calls spread over `phase`'s hours. */
function clockOf(phase: Phase, index: number, count: number): string {
  const [start, end] = HOURS[phase];
  const minute = start + Math.floor((index * (end - start)) / Math.max(count, 1));
  return `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
}

function checkOptions(options: Required<DayPlanOptions>): void {
  const { seed, runId, calls, outageLookups, outageSeconds, asyncShare } = options;
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be an integer, not ${seed}`);
  if (!RUN_ID.test(runId)) throw new RangeError('runId must be 1-64 characters of A-Z a-z 0-9 . _ -');
  if (!Number.isInteger(outageLookups) || outageLookups < 1 || outageLookups > 50) {
    throw new RangeError(`outageLookups must be an integer from 1 to 50, not ${outageLookups}`);
  }
  const fewest = SPECIAL_CALLS + outageLookups + MIN_LOOKUPS;
  if (!Number.isInteger(calls) || calls < fewest || calls > MAX_CALLS) {
    throw new RangeError(`calls must be an integer from ${fewest} to ${MAX_CALLS}, not ${calls}`);
  }
  if (!(outageSeconds >= 1 && outageSeconds <= 120)) {
    throw new RangeError(`outageSeconds must be from 1 to 120, not ${outageSeconds}`);
  }
  if (!(asyncShare >= 0 && asyncShare <= 1)) {
    throw new RangeError(`asyncShare must be from 0 to 1, not ${asyncShare}`);
  }
}

/**
 * Plans a day of traffic: ordinary lookups in the morning and the afternoon
 * (the portal calls all three services, the tax authority and the social
 * insurance office the civil registry; Cyrillic register numbers of the demo
 * citizens; officers' ids and case numbers; some async), a schema violation,
 * a denied call and an unknown citizen among the morning's, another unknown
 * citizen (async) among the afternoon's, and at noon the civil registry's
 * outage with async lookups sent while it lasts.
 *
 * @throws RangeError for options out of range.
 */
export function planDay(options: DayPlanOptions): DayPlan {
  const settings: Required<DayPlanOptions> = {
    calls: DEFAULT_CALLS,
    outageLookups: DEFAULT_OUTAGE_LOOKUPS,
    outageSeconds: DEFAULT_OUTAGE_SECONDS,
    asyncShare: DEFAULT_ASYNC_SHARE,
    ...options,
  };
  checkOptions(settings);
  const random = new SeededRandom(settings.seed);
  const lookups = settings.calls - SPECIAL_CALLS - settings.outageLookups;
  const morningLookups = Math.ceil(lookups / 2);

  const deniedConsumer = agencyOf(DENIED_CALL.client);
  const morning = insertAtRandom(random, ordinaryLookups(random, morningLookups, settings.asyncShare), [
    draft(random, 'violation', 'eServices', PERSON_SERVICE.id, DEMO_REGISTER_NUMBERS.malformed, false),
    draft(random, 'denied', deniedConsumer, DENIED_CALL.service, random.weighted(CITIZEN_WEIGHTS), false),
    draft(random, 'unknown', 'eServices', PERSON_SERVICE.id, DEMO_REGISTER_NUMBERS.unknown, false),
  ]);
  const outage = Array.from({ length: settings.outageLookups }, (_, i) =>
    draft(
      random,
      'outage',
      PERSON_CONSUMERS[i % PERSON_CONSUMERS.length] as AgencyKey,
      RECORDS_SERVICE.id,
      random.weighted(CITIZEN_WEIGHTS),
      true,
    ),
  );
  const afternoon = insertAtRandom(
    random,
    ordinaryLookups(random, lookups - morningLookups, settings.asyncShare),
    [draft(random, 'unknown', 'tax', RECORDS_SERVICE.id, DEMO_REGISTER_NUMBERS.unknown, true)],
  );

  const calls: PlannedCall[] = [];
  for (const [phase, drafts] of [
    ['morning', morning],
    ['outage', outage],
    ['afternoon', afternoon],
  ] as const) {
    drafts.forEach((call, index) => {
      const seq = calls.length + 1;
      calls.push({
        seq,
        id: `${settings.runId}-${String(seq).padStart(3, '0')}`,
        phase,
        clock: clockOf(phase, index, drafts.length),
        ...call,
      });
    });
  }
  return {
    seed: settings.seed,
    runId: settings.runId,
    calls,
    outage: { agency: providerOf(PERSON_SERVICE.id), seconds: settings.outageSeconds },
    auditSubject: DEMO_REGISTER_NUMBERS.known,
  };
}

/** How many calls of each kind a list has (every kind present, 0 when none). */
export function countByKind(calls: readonly PlannedCall[]): Record<CallKind, number> {
  const counts = Object.fromEntries(CALL_KINDS.map((kind) => [kind, 0])) as Record<CallKind, number>;
  for (const call of calls) counts[call.kind] += 1;
  return counts;
}
