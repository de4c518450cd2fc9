import express, { type Express, type RequestHandler, type Router } from 'express';
import { OrtooError } from '../../core/src';
import type { SessionStore } from './console/session-store';
import type { GatewayDeps } from './deps';
import { authenticate } from './middleware/authenticate';
import { errorHandler } from './middleware/error-handler';
import { jsonBody } from './middleware/json-body';
import { storableInput } from './middleware/storable-input';
import { buildOpenApiDocument } from './openapi';

/** The access checks a router puts in front of its routes. */
export interface Guards {
  /** Admins and auditors. */
  readonly read: RequestHandler;
  /** Admins only. */
  readonly write: RequestHandler;
  /** Auditors only: the audit log's API, which admins (the audited) cannot use. */
  readonly audit: RequestHandler;
}

/** A part of the API: given the dependencies and the guards, its routes. */
export type RouterFactory = (deps: GatewayDeps, guards: Guards) => Router;

/** Options of {@link createApp}. */
export interface AppOptions {
  /** Console sessions: with them, a session cookie authenticates as well as a bearer token. @defaultValue none */
  readonly sessions?: SessionStore;
}

/** Largest admin request body; a service's two schemas are the biggest thing sent. */
const BODY_LIMIT_BYTES = 2 * 1024 * 1024;

/**
 * The gateway's HTTP application, not listening (`main.ts` listens; tests call
 * it in-process with supertest). Routers come from `routes/`; errors all end
 * in one handler.
 */
export function createApp(
  deps: GatewayDeps,
  routers: readonly RouterFactory[],
  options: AppOptions = {},
): Express {
  const app = express();
  app.set('etag', false);
  app.disable('x-powered-by');
  app.use(storableInput);
  app.use(jsonBody({ limitBytes: BODY_LIMIT_BYTES, maxDepth: deps.config.limits.maxJsonDepth }));
  // A successful write may have changed the registry: the router in this
  // process then checks at once instead of at its next periodic look.
  app.use((req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.once('finish', () => {
        if (res.statusCode < 400) deps.globalConf.noteChange();
      });
    }
    next();
  });

  const openApi = buildOpenApiDocument();
  app.get('/v1/openapi.json', (_req, res) => {
    res.json(openApi);
  });

  const guards: Guards = {
    read: authenticate(deps.store, deps.audit, ['admin', 'auditor'], options.sessions),
    write: authenticate(deps.store, deps.audit, ['admin'], options.sessions),
    audit: authenticate(deps.store, deps.audit, ['auditor'], options.sessions),
  };
  for (const router of routers) app.use(router(deps, guards));

  app.use((req, _res, next) => {
    next(new OrtooError('NotFound', `No route ${req.method} ${req.path}`));
  });
  app.use(errorHandler(deps.logger));
  return app;
}
