import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import type { ReadinessChecker } from './readiness-checker';

/** A plain Node.js request handler: express, or any other server, can mount it. */
export type OpsHandler = (req: IncomingMessage, res: ServerResponse) => void;

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' });
  res.end(body);
}

/**
 * The operational endpoints of every Örtöö process, without a token, as
 * probes and scrapers expect (serve them on an internal address):
 *
 * - `/healthz`: alive, its event loop turns: 200 `{status: "ok"}`, touching
 *   nothing else, so a restart is never decided by a dependency's outage;
 * - `/readyz`: it can do its work: 200 with each check's result, or 503
 *   naming the failing checks, so a load balancer sends it nothing meanwhile;
 * - `/metrics`: the Prometheus metrics of `registry`.
 */
export function opsEndpoints(
  registry: Registry,
  readiness: ReadinessChecker,
): Readonly<Record<'/healthz' | '/readyz' | '/metrics', OpsHandler>> {
  return {
    '/healthz': (_req, res) => send(res, 200, 'application/json', JSON.stringify({ status: 'ok' })),
    '/readyz': (_req, res) => {
      void readiness.check().then((result) => {
        send(res, result.status === 'ready' ? 200 : 503, 'application/json', JSON.stringify(result));
      });
    },
    '/metrics': (_req, res) => {
      registry.metrics().then(
        (text) => send(res, 200, registry.contentType, text),
        (error: unknown) => send(res, 500, 'text/plain', `metrics failed: ${String(error)}`),
      );
    },
  };
}
