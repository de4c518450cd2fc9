import { Router, type Request } from 'express';
import { OrtooError } from '../../../core/src';
import type { RouterFactory } from '../app';
import { searchableTime } from '../audit/audit-query';
import { findUsage, usagePeriod } from '../audit/data-usage';
import { principalOf } from '../middleware/authenticate';

/** The data tracker's default and largest page: `limit` defaults to 1000 in its contract. */
const MAX_USAGES = 1000;

const DAY_MS = 24 * 3600 * 1000;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** A date-time, its zone optional (the contract's examples have none: read as UTC). */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * A period bound: a date (`2025-03-01`: from its start, or to its end for
 * `periodEnd`) or a date-time.
 */
function periodBound(name: string, value: unknown, end: boolean): Date | undefined {
  if (value === undefined) return undefined;
  let time: Date | undefined;
  if (typeof value === 'string' && DATE.test(value)) {
    const day = new Date(`${value}T00:00:00Z`);
    time = end ? new Date(day.getTime() + DAY_MS) : day;
  } else if (typeof value === 'string' && DATE_TIME.test(value)) {
    const zoned = /(Z|[+-]\d{2}:?\d{2})$/i.test(value) ? value : `${value}Z`;
    time = new Date(zoned);
    if (end) time = new Date(time.getTime() + 1); // the end is included
  }
  if (time === undefined || Number.isNaN(time.getTime())) {
    throw new OrtooError('BadRequest', `${name} must be a date (2025-03-01) or a date-time`, {
      detail: { parameter: name },
    });
  }
  return searchableTime(name, time);
}

function integer(name: string, value: unknown, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const number = typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : NaN;
  if (!(number >= min && number <= max)) {
    throw new OrtooError('BadRequest', `${name} must be an integer from ${min} to ${max}`, {
      detail: { parameter: name },
    });
  }
  return number;
}

/** The data subject: `userCode` when given (one may ask on another's behalf), else `X-Road-UserId`. */
function subjectOf(req: Request): string {
  const userCode = req.query.userCode;
  const subject = userCode ?? req.get('x-road-userid');
  if (typeof subject !== 'string' || subject.length === 0 || subject.length > 1000) {
    throw new OrtooError('BadRequest', 'Name the data subject in userCode or in the X-Road-UserId header');
  }
  return subject;
}

/**
 * The data tracker, in the shape of Estonia's (e-gov/AJ
 * `dumonitor-openapi.yaml` v2), so a citizen portal built for it shows our
 * data unchanged: which agency received data about a person, through which
 * service, when and why. Auditors only; each lookup is recorded, the subject
 * by its hash.
 */
export const dataTrackerRouter: RouterFactory = (deps, guards) => {
  const router = Router();

  router.get('/v2/findUsage', guards.audit, async (req, res) => {
    const subject = subjectOf(req);
    const from = periodBound('periodStart', req.query.periodStart, false);
    const to = periodBound('periodEnd', req.query.periodEnd, true);
    const offset = integer('offset', req.query.offset, 0, 0, 1_000_000_000);
    const limit = integer('limit', req.query.limit, MAX_USAGES, 1, MAX_USAGES);
    const subjectHash = deps.audit.subjectHash(subject);
    await deps.audit.record({
      event: 'auditor-query',
      outcome: 'ok',
      actor: principalOf(res).name,
      detail: {
        what: 'findUsage',
        query: {
          ...(from === undefined ? {} : { periodStart: from.toISOString() }),
          ...(to === undefined ? {} : { periodEnd: to.toISOString() }),
          offset,
          limit,
        },
        subjectHash,
      },
    });
    res.json(
      await findUsage(deps.store, {
        subjectHash,
        ...(from === undefined ? {} : { from }),
        ...(to === undefined ? {} : { to }),
        offset,
        limit,
      }),
    );
  });

  router.get('/v2/usagePeriod', guards.audit, async (_req, res) => {
    res.json(await usagePeriod(deps.store, deps.clock()));
  });

  router.get('/v2/heartbeat', guards.audit, async (_req, res) => {
    try {
      await deps.store.ping();
      res.json({ status: 'OK', message: 'The data tracker answers from the audit log' });
    } catch {
      res.json({ status: 'FAIL', message: 'The audit log cannot be read' });
    }
  });

  return router;
};
