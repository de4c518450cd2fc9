import type { ErrorRequestHandler } from 'express';
import { OrtooError, toOrtooError, type Logger } from '../../../core/src';

/** What express itself throws for a client's fault (a route parameter it cannot decode: 400). */
function expressClientError(thrown: unknown): OrtooError | undefined {
  const status = (thrown as { status?: unknown } | null)?.status;
  if (thrown instanceof OrtooError || typeof status !== 'number' || status < 400 || status >= 500) {
    return undefined;
  }
  return new OrtooError('BadRequest', 'Malformed request URL', { cause: thrown });
}

/**
 * The one place that turns anything thrown into an answer: `{type, message,
 * detail}` with the error's HTTP status and an `X-Road-Error` header, as X-Road
 * clients expect. Unexpected errors are logged with their stack and answered
 * without it.
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (thrown: unknown, req, res, _next) => {
    const error = expressClientError(thrown) ?? toOrtooError(thrown);
    if (error.code === 'InternalError' || error.status >= 500) {
      logger.error('request failed', { error: thrown, method: req.method, path: req.path });
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    // The rest of a refused body is never read: the connection cannot carry another request.
    if (error.code === 'PayloadTooLarge' || error.code === 'RequestTimeout') res.set('Connection', 'close');
    res.status(error.status).set('X-Road-Error', error.type).json(error.toJSON());
  };
}
