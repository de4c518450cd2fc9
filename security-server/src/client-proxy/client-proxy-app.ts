import express, { type Express, type Request, type RequestHandler, type Response } from 'express';
import { OrtooError, readRequestBody } from '../../../core/src';
import type { SecurityServerDeps } from '../deps';
import type { GatewayClient } from '../gateway-client';
import { LocalSystems, credentialsOf, type AuthenticatedLocalSystem } from '../local-systems';
import { clientProxyErrorHandler } from './error-handler';
import type { ExchangeContext } from './exchange-context';
import { clientProxyMetrics } from './client-proxy-metrics';
import type { HttpAnswer } from './http-answer';
import { MessageAnswers } from './message-answers';
import { callMetaservice } from './metaservice-call';
import { parseProxyRoute } from './proxy-route';
import { callService } from './service-call';
import { ServiceSchemas } from './service-schemas';

/** Statuses whose answers carry no body, whatever the backend sent. */
const NO_BODY = new Set([204, 205, 304]);

/**
 * Writes an answer as it is: header names and values untouched (express's
 * `res.set` would add a charset to a provider's `Content-Type`, which X-Road
 * passes on unmodified), no ETag or freshness logic of its own.
 */
function send(res: Response, answer: HttpAnswer): void {
  res.status(answer.status);
  for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
  if (answer.body === undefined || NO_BODY.has(answer.status) || answer.status < 200) {
    res.end();
    return;
  }
  res.setHeader('Content-Length', answer.body.length);
  res.end(answer.body);
}

/**
 * The client proxy: X-Road's Message Protocol for REST for the agency's own
 * systems, so an X-Road REST client works unchanged. Not listening (`main.ts`
 * serves it over plain HTTP, and over TLS when local systems authenticate
 * with certificates).
 *
 * - `{METHOD} /r1/{serviceId}[/path][?query]`: a service call (see `service-call.ts`);
 * - `GET /r1/messages/{id}`: the answer to an async call (see `message-answers.ts`);
 * - `GET /r1/{INSTANCE}/listClients` (also `/listClients`),
 *   `GET /r1/{subsystem}/listMethods`, `…/allowedMethods`,
 *   `…/getOpenAPI?serviceCode=X`: metaservices (see `metaservice-call.ts`).
 *
 * Every route first authenticates the local system (before its body is
 * read); bodies of any media type are read up to `config.bodyLimitBytes`.
 * Every refusal is X-Road's `{type, message, detail}` with `X-Road-Error`.
 */
export function createClientProxyApp(
  deps: SecurityServerDeps,
  gateway: Pick<GatewayClient, 'submit' | 'status'>,
): Express {
  const context: ExchangeContext = { deps, gateway };
  const systems = new LocalSystems(deps.config.localSystems);
  const schemas = new ServiceSchemas(deps);
  const messages = new MessageAnswers(context);
  const metrics = clientProxyMetrics(deps.metrics);

  const app = express();
  app.set('etag', false);
  app.disable('x-powered-by');
  // The query string goes to the provider as it was sent; nothing here parses it.
  app.set('query parser', false);

  const authenticate: RequestHandler = (req, res, next) => {
    res.locals.localSystem = systems.authenticate(credentialsOf(req.headers, req.socket));
    next();
  };
  // Every media type as bytes; JSON is parsed later, by the content type the envelope will carry.
  const readBody: RequestHandler = (req, _res, next) => {
    readRequestBody(req, { limitBytes: deps.config.bodyLimitBytes }).then((body) => {
      req.body = body;
      next();
    }, next);
  };

  const handle = async (req: Request, res: Response) => {
    const route = parseProxyRoute(req.originalUrl);
    res.locals.route = route.kind;
    const system = res.locals.localSystem as AuthenticatedLocalSystem;
    let answer: HttpAnswer;
    if (route.kind === 'service') {
      answer = await callService(context, system, {
        method: req.method,
        service: route.service,
        path: route.path,
        query: route.query,
        headers: req.headers,
        body: Buffer.isBuffer(req.body) ? req.body : undefined,
      });
    } else if (route.kind === 'message') {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        throw new OrtooError('BadRequest', 'A message’s answer is read with GET');
      }
      answer = await messages.answer(system, route.id);
    } else {
      answer = await callMetaservice(context, schemas, system, route, req);
    }
    send(res, answer);
  };

  app.use((req, res, next) => {
    const started = performance.now();
    res.once('finish', () => {
      const error = res.getHeader('x-road-error');
      metrics.requestSeconds.observe(
        {
          route: (res.locals.route as string | undefined) ?? 'none',
          outcome: typeof error === 'string' ? error : 'ok',
        },
        (performance.now() - started) / 1000,
      );
    });
    next();
  });
  app.use(['/r1', '/listClients'], authenticate, readBody, handle);
  app.use((req, _res, next) => {
    next(new OrtooError('NotFound', `No route ${req.method} ${req.path.slice(0, 100)}`));
  });
  app.use(clientProxyErrorHandler(deps.logger));
  return app;
}
