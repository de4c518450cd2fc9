import { Router, type Request, type Response } from 'express';
import { ED25519_NOTE, OrtooError, checkpointJson, readCheckpoint, verifierKey } from '../../../core/src';
import type { RouterFactory } from '../app';
import { describeFilters, parseAuditFilters, type AuditFilters } from '../audit/audit-query';
import {
  listCheckpointRows,
  searchAuditRecords,
  toAuditRecord,
  type AuditSearch,
} from '../audit/audit-repository';
import type { AuditTrail } from '../audit/audit-trail';
import { verifyAuditLog, verifyWholeAuditLog } from '../audit/audit-verification';
import { findOpenMessages } from '../audit/open-messages';
import { exportEvidence } from '../audit/evidence-export';
import type { GatewayDeps } from '../deps';
import { principalOf } from '../middleware/authenticate';
import { validateBody } from '../middleware/validate-body';
import { pageRequest, toPage, type PageRequest } from './pagination';

/**
 * How long after its acceptance a message without an outcome is reported as
 * open by verification: longer than any service's timeout and retries take.
 */
const OPEN_MESSAGE_GRACE_SECONDS = 3600;

/** The search with the data subject hashed: the clear identifier goes no further. */
function toSearch(filters: AuditFilters, audit: AuditTrail): AuditSearch {
  const { subject, ...rest } = filters;
  return subject === undefined ? rest : { ...rest, subjectHash: audit.subjectHash(subject) };
}

/** A keyset cursor over `seq` or `id`: a positive integer. */
function afterKey(page: PageRequest): number | undefined {
  if (page.after === undefined) return undefined;
  if (!/^\d{1,15}$/.test(page.after))
    throw new OrtooError('BadRequest', 'cursor is not one this API gave out');
  return Number(page.after);
}

/**
 * Writes the `auditor-query` record of a call before it is answered: who
 * looked at what. A data subject is kept only as its hash, in the detail, so
 * the record does not turn up in searches about that subject.
 */
async function recordQuery(
  deps: GatewayDeps,
  res: Response,
  what: string,
  query: Record<string, unknown>,
  subject?: string,
): Promise<void> {
  await deps.audit.record({
    event: 'auditor-query',
    outcome: 'ok',
    actor: principalOf(res).name,
    detail: {
      what,
      query,
      ...(subject === undefined ? {} : { subjectHash: deps.audit.subjectHash(subject) }),
    },
  });
}

/** Pagination parameters of a query, for its auditor-query record. */
function pagingOf(req: Request): Record<string, unknown> {
  const { limit, cursor } = req.query;
  return { ...(limit === undefined ? {} : { limit }), ...(cursor === undefined ? {} : { cursor }) };
}

/**
 * The auditor API (role auditor only; admins, the audited, cannot use it):
 * search the log, one message's story, verification, checkpoints and
 * evidence bundles. Every call is itself recorded before it is answered.
 */
export const auditRouter: RouterFactory = (deps, guards) => {
  const router = Router();

  router.get('/v1/audit/records', guards.audit, async (req, res) => {
    const filters = parseAuditFilters(req.query);
    const page = pageRequest(req);
    const afterSeq = afterKey(page);
    await recordQuery(
      deps,
      res,
      'records',
      { ...describeFilters(filters), ...pagingOf(req) },
      filters.subject,
    );
    const rows = await searchAuditRecords(deps.store, toSearch(filters, deps.audit), {
      ...(afterSeq === undefined ? {} : { afterSeq }),
      limit: page.limit + 1,
    });
    res.json(toPage(rows.map(toAuditRecord), page, (record) => String(record.seq)));
  });

  router.get('/v1/audit/messages/:messageId', guards.audit, async (req, res) => {
    const messageId = req.params.messageId as string;
    if (messageId.length > 1000) throw new OrtooError('BadRequest', 'messageId is too long');
    await recordQuery(deps, res, 'message', { messageId });
    const rows = await searchAuditRecords(deps.store, { messageId }, { limit: 100_000 });
    res.json({ messageId, items: rows.map(toAuditRecord) });
  });

  router.get('/v1/audit/verify', guards.audit, async (req, res) => {
    const range = parseAuditFilters({ from: req.query.from, to: req.query.to });
    const { from, to } = range;
    await recordQuery(deps, res, 'verify', describeFilters(range));
    // Sign this gateway's head first, so that every record it wrote is covered.
    await deps.audit.checkpoint();
    const signers = [deps.trust.auditCertificate];
    const { auditLogSigner } = deps.trust;
    // A range checks its records' chains; the whole log is checked against its Merkle tree and signed heads too.
    const report =
      from === undefined && to === undefined
        ? await verifyWholeAuditLog(deps.store, {
            signers,
            logKey: { name: auditLogSigner.name, publicKey: auditLogSigner.publicKey },
          })
        : await verifyAuditLog(deps.store, {
            signers,
            ...(from === undefined ? {} : { from }),
            ...(to === undefined ? {} : { to }),
          });
    // A finding beside the verdict: accepted messages whose outcome is not on record.
    const openMessages = await findOpenMessages(deps.store, {
      graceSeconds: OPEN_MESSAGE_GRACE_SECONDS,
      now: deps.clock(),
      limit: 20,
    });
    res.json({ ...report, openMessages });
  });

  router.get('/v1/audit/checkpoints', guards.audit, async (req, res) => {
    const { writer } = req.query;
    if (writer !== undefined && (typeof writer !== 'string' || writer.length === 0)) {
      throw new OrtooError('BadRequest', 'writer must be given once, as a non-empty text');
    }
    const page = pageRequest(req);
    const afterId = afterKey(page);
    await recordQuery(deps, res, 'checkpoints', {
      ...(writer === undefined ? {} : { writer }),
      ...pagingOf(req),
    });
    const rows = await listCheckpointRows(deps.store, {
      ...(writer === undefined ? {} : { writer }),
      ...(afterId === undefined ? {} : { afterId }),
      limit: page.limit + 1,
    });
    const checkpoints = rows.map((row) => checkpointJson(readCheckpoint(row)));
    res.json(toPage(checkpoints, page, (checkpoint) => String(checkpoint.id)));
  });

  router.post(
    '/v1/audit/export',
    guards.audit,
    validateBody(deps.schemas, 'audit-export'),
    async (req, res) => {
      const { query = {} } = req.body as { query?: Record<string, string> };
      const filters = parseAuditFilters(query);
      const described = describeFilters(filters);
      await recordQuery(deps, res, 'export', described, filters.subject);
      const search = toSearch(filters, deps.audit);
      const createdAt = deps.clock();
      const { text } = await exportEvidence(deps.store, search, {
        query: {
          ...described,
          ...(search.subjectHash === undefined ? {} : { subjectHash: search.subjectHash }),
        },
        trust: deps.trust,
        createdAt,
        // This gateway's latest records (this export's own among them) are covered once it signs its head.
        checkpoint: () => deps.audit.checkpoint(),
        tree: deps.audit.tree,
        logKey: verifierKey(
          deps.trust.auditLogSigner.name,
          ED25519_NOTE,
          deps.trust.auditLogSigner.publicKey,
        ),
      });
      const stamp = createdAt.toISOString().replace(/[:.]/g, '-');
      res
        .status(200)
        .type('application/jose+json')
        .set('Content-Disposition', `attachment; filename="audit-evidence-${stamp}.jose.json"`)
        .send(text);
    },
  );

  return router;
};
