import { Router } from 'express';
import { OrtooError } from '../../../core/src';
import type { RouterFactory } from '../app';
import { acceptCosignature, checkpointView, latestCheckpoint, sizeParam } from '../audit/witness-service';
import { principalOf } from '../middleware/authenticate';
import { validateBody } from '../middleware/validate-body';

const base64 = (hashes: readonly Buffer[]) => hashes.map((hash) => hash.toString('base64'));

/**
 * The audit log as a transparency log. For witnesses (no token: what is
 * served is signed, and holds no record): the latest checkpoint with its
 * cosignatures, consistency proofs, and where cosignatures are sent (each
 * signed by the security server). For auditors (recorded like every auditor
 * query): the same, and inclusion proofs of any record at any size.
 */
export const transparencyLogRouter: RouterFactory = (deps, guards) => {
  const router = Router();
  const consistency = async (from: unknown, to: unknown) => {
    const latest = (await deps.audit.tree.latest())?.size ?? 0;
    const m = sizeParam(from, 'from') ?? 0;
    const n = sizeParam(to, 'to') ?? latest;
    return { from: m, to: n, proof: base64(await deps.audit.tree.consistencyProof(m, n)) };
  };

  router.get('/v1/log/checkpoint', async (req, res) => {
    const view = await latestCheckpoint(deps);
    if (req.query.format === 'note') res.type('text/plain; charset=utf-8').send(view.note);
    else res.json(view);
  });

  router.get('/v1/log/consistency', async (req, res) => {
    res.json(await consistency(req.query.from, req.query.to));
  });

  router.post('/v1/log/cosignatures', validateBody(deps.schemas, 'log-cosignature'), async (req, res) => {
    res.json(
      await acceptCosignature(deps, req.body as { payload: string; protected: string; signature: string }),
    );
  });

  const recordQuery = (actor: string, what: string, query: Record<string, unknown>) =>
    deps.audit.record({ event: 'auditor-query', outcome: 'ok', actor, detail: { what, query } });

  router.get('/v1/audit/log/checkpoint', guards.audit, async (_req, res) => {
    await recordQuery(principalOf(res).name, 'log-checkpoint', {});
    // Signed now, so that the head covers every record committed so far (this query's own among them).
    await deps.audit.extendTree();
    res.json(await latestCheckpoint(deps));
  });

  router.get('/v1/audit/log/inclusion', guards.audit, async (req, res) => {
    const seq = sizeParam(req.query.seq, 'seq');
    const leafParam = sizeParam(req.query.leafIndex, 'leafIndex');
    await recordQuery(principalOf(res).name, 'log-inclusion', { ...req.query });
    let leafIndex = leafParam;
    let hash: string | undefined;
    if (seq !== undefined || leafIndex !== undefined) {
      const [row] = await deps.store.query<{ leaf_index: number; hash: string; seq: number }>(
        seq !== undefined
          ? 'SELECT seq, leaf_index, hash FROM audit_log WHERE seq = $1'
          : 'SELECT seq, leaf_index, hash FROM audit_log WHERE leaf_index = $1',
        [seq ?? leafIndex],
      );
      if (row === undefined) throw new OrtooError('NotFound', 'No such record');
      leafIndex = Number(row.leaf_index);
      hash = row.hash;
    }
    if (leafIndex === undefined || hash === undefined)
      throw new OrtooError('BadRequest', 'Give seq or leafIndex');
    await deps.audit.extendTree();
    const head = sizeParam(req.query.size, 'size') === undefined ? await deps.audit.tree.latest() : undefined;
    const size = sizeParam(req.query.size, 'size') ?? head?.size ?? 0;
    const signed = head ?? (await deps.audit.tree.head(size));
    res.json({
      leafIndex,
      size,
      recordHash: hash,
      proof: base64(await deps.audit.tree.inclusionProof(leafIndex, size)),
      ...(signed === undefined ? {} : { checkpoint: await checkpointView(deps, signed) }),
    });
  });

  router.get('/v1/audit/log/consistency', guards.audit, async (req, res) => {
    await recordQuery(principalOf(res).name, 'log-consistency', { ...req.query });
    await deps.audit.extendTree();
    res.json(await consistency(req.query.from, req.query.to));
  });

  return router;
};
