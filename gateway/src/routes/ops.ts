import express from 'express';
import type { Registry } from 'prom-client';
import { opsEndpoints, type ReadinessChecker } from '../../../core/src';
import type { RouterFactory } from '../app';

/**
 * `GET /healthz`, `/readyz` and `/metrics` on the admin listener, without a
 * token (see the core's `opsEndpoints`). What `/metrics` and `/readyz` read
 * from Redis or SQL is bounded in time (see `observability/`), so a probe or
 * a scrape never hangs.
 */
export function opsRouter(registry: Registry, readiness: ReadinessChecker): RouterFactory {
  return () => {
    const router = express.Router();
    for (const [path, handler] of Object.entries(opsEndpoints(registry, readiness)))
      router.get(path, handler);
    return router;
  };
}
