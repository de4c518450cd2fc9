import express from 'express';
import type { Registry } from 'prom-client';
import type { RouterFactory } from '../app';

/**
 * `GET /metrics`: the process's Prometheus metrics, without a token, as
 * scrapers expect; bind the admin listener to an internal address.
 */
export function metricsRouter(registry: Registry): RouterFactory {
  return () => {
    const router = express.Router();
    router.get('/metrics', async (_req, res) => {
      res.type(registry.contentType).send(await registry.metrics());
    });
    return router;
  };
}
