import express, { type ErrorRequestHandler, type Express, type RequestHandler, type Router } from 'express';
import { sendProblem } from './problem';
import type { RequestValidator } from './request-validator';

/** Largest request body a demo backend reads: its requests are a register number and two months. */
export const BODY_LIMIT_BYTES = 16 * 1024;

/** What a thrown error says about itself: body-parser and express set these. */
interface HttpishError {
  status?: unknown;
  statusCode?: unknown;
  expose?: unknown;
  type?: unknown;
}

/** The client's fault, as body-parser and express report it: a 4xx with a message fit to show. */
function clientStatus(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { status, statusCode } = error as HttpishError;
  const code = typeof status === 'number' ? status : statusCode;
  return typeof code === 'number' && code >= 400 && code < 500 ? code : undefined;
}

/** Why body-parser refused a body, in words for the caller (its own message may quote the body). */
function clientDetail(error: unknown, status: number): string {
  if (error instanceof URIError) return 'The request path is not valid percent-encoded UTF-8';
  const { type } = error as HttpishError;
  if (type === 'entity.parse.failed') return 'The request body is not valid JSON';
  if (type === 'entity.too.large') return `The request body is larger than ${BODY_LIMIT_BYTES} bytes`;
  if (type === 'charset.unsupported' || type === 'encoding.unsupported') {
    return 'The request body is not in UTF-8';
  }
  return status === 400 ? 'Bad request' : 'The request was refused';
}

/** Every error ends here: a client's fault as its 4xx, anything else as a 500 that names nothing inside. */
const errorHandler: ErrorRequestHandler = (error, _req, res, next) => {
  if (res.headersSent) {
    next(error);
    return;
  }
  const status = clientStatus(error);
  if (status !== undefined) {
    sendProblem(res, status, clientDetail(error, status));
    return;
  }
  sendProblem(res, 500, 'The backend failed to answer');
};

/**
 * A handler that refuses, with 400 and the schema's errors, a body that does
 * not match the service's request schema.
 */
export function validateBody(validator: RequestValidator): RequestHandler {
  return (req, res, next) => {
    const errors = validator(req.body);
    if (errors.length === 0) {
      next();
      return;
    }
    sendProblem(res, 400, 'The request body does not match the request schema', { errors });
  };
}

/** A handler that answers 405 with `Allow`, for a path's other methods. */
export function methodNotAllowed(...allowed: readonly string[]): RequestHandler {
  return (req, res) => {
    res.set('Allow', allowed.join(', '));
    sendProblem(res, 405, `${req.method} is not allowed here; use ${allowed.join(' or ')}`);
  };
}

/**
 * An agency backend around `router`, with what every demo backend shares:
 * production settings (no ETag, no `X-Powered-By`), JSON bodies of at most
 * {@link BODY_LIMIT_BYTES} (strict: an object or an array), `GET /healthz`,
 * and problem bodies (RFC 9457) for unknown paths and every error. Not
 * listening: see `startBackend`.
 */
export function createBackendApp(router: Router): Express {
  const app = express();
  app.set('etag', false);
  app.disable('x-powered-by');
  app.use(
    express.json({
      limit: BODY_LIMIT_BYTES,
      strict: true,
      type: ['application/json', 'application/*+json'],
    }),
  );
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.use(router);
  app.use((req, res) => {
    sendProblem(res, 404, `No route ${req.method} ${req.path}`);
  });
  app.use(errorHandler);
  return app;
}
