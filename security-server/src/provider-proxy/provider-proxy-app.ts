import express, { type Express } from 'express';
import { OrtooError } from '../../../core/src';
import type { SecurityServerDeps } from '../deps';
import { BackendClient } from './backend-client';
import { providerErrorHandler } from './error-handler';
import { requireGateway } from './gateway-only';
import { ProviderDelivery } from './provider-delivery';
import { ProviderMetrics } from './provider-metrics';
import { readMessage } from './read-message';
import { takeAnswer } from './take-answer';

/** Options of {@link createProviderProxyApp}. */
export interface ProviderProxyOptions {
  /**
   * The client that calls the backends; whoever passes one closes it.
   * @defaultValue a new {@link BackendClient} whose answers are capped at `config.bodyLimitBytes`
   */
  readonly backend?: BackendClient;
}

/**
 * The provider proxy: the application the security server serves over
 * mutual TLS for the gateway, and for nobody else.
 *
 * - `POST /v1/deliver` — a consumer's signed request → `200` with this
 *   server's signed answer (the backend's status, allow-listed headers and
 *   body inside it; see {@link ProviderDelivery});
 * - `POST /v1/answers` — an answer to an async request of this server →
 *   `204` (see {@link takeAnswer}).
 *
 * Errors are `{type, message, detail}` with `X-Road-Error`; the backend
 * being down or slow is `503 Server.ServerProxy.NetworkError` or
 * `504 Server.ServerProxy.BackendTimeout`, which the gateway retries.
 * Messages over `config.bodyLimitBytes` are refused (`413`), slow ones
 * (`408`), and ones that are not strict JSON (`400`).
 */
export function createProviderProxyApp(
  deps: SecurityServerDeps,
  options: ProviderProxyOptions = {},
): Express {
  const limit = deps.config.bodyLimitBytes;
  const depth = deps.config.limits.maxJsonDepth;
  const backend = options.backend ?? new BackendClient({ maxAnswerBytes: limit });
  const delivery = new ProviderDelivery(deps, backend, new ProviderMetrics(deps.metrics));
  const app = express();
  app.set('etag', false);
  app.disable('x-powered-by');

  // Nobody but the gateway gets anything here, not even a 404.
  app.use(requireGateway(deps.conf));

  app.post('/v1/deliver', async (req, res) => {
    const { answer } = await delivery.deliver(await readMessage(req, limit, depth));
    res.status(200).set('X-Road-Id', answer.envelope.id).json(answer);
  });

  app.post('/v1/answers', async (req, res) => {
    await takeAnswer(deps, await readMessage(req, limit, depth));
    res.status(204).end();
  });

  app.use((req, _res, next) => {
    next(new OrtooError('NotFound', `No route ${req.method} ${req.path}`));
  });
  app.use(providerErrorHandler(deps.logger));
  return app;
}
