import { Router } from 'express';
import type { RouterFactory } from '../app';
import { principalOf } from '../middleware/authenticate';
import { validateBody } from '../middleware/validate-body';
import { createApiToken, listApiTokens, revokeApiToken, type Role } from '../registry/api-tokens';

/** API tokens of administrators and auditors: only administrators see or change them. */
export const apiTokensRouter: RouterFactory = (deps, guards) => {
  const router = Router();

  router.get('/v1/tokens', guards.write, async (_req, res) => {
    const tokens = await listApiTokens(deps.store);
    res.json({ items: tokens.map(({ tokenId, ...rest }) => ({ id: tokenId, ...rest })) });
  });

  router.post(
    '/v1/tokens',
    guards.write,
    validateBody(deps.schemas, 'api-token-create'),
    async (req, res) => {
      const { name, role } = req.body as { name: string; role: Role };
      const actor = principalOf(res).name;
      const created = await deps.audit.transaction(async (tx, record) => {
        const result = await createApiToken(tx, { name, role, createdBy: actor });
        await record({
          event: 'admin-change',
          outcome: 'ok',
          actor,
          detail: { action: 'tokens.create', id: result.info.tokenId, role },
        });
        return result;
      });
      res.status(201).json({ id: created.info.tokenId, name, role, token: created.token });
    },
  );

  router.delete('/v1/tokens/:id', guards.write, async (req, res) => {
    const actor = principalOf(res).name;
    await deps.audit.transaction(async (tx, record) => {
      await revokeApiToken(tx, req.params.id as string);
      await record({
        event: 'admin-change',
        outcome: 'ok',
        actor,
        detail: { action: 'tokens.revoke', id: req.params.id },
      });
    });
    res.status(204).end();
  });

  return router;
};
