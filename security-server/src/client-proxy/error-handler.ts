import type { ErrorRequestHandler } from 'express';
import { toOrtooError, type Logger } from '../../../core/src';

/**
 * The client proxy's one error handler: whatever was thrown becomes X-Road's
 * error answer, `{type, message, detail}` with its status and an
 * `X-Road-Error` header, so a local system can tell an exchange's failure
 * from a backend's own error answer (which has no such header). Errors the
 * gateway reported travel on with the gateway's type. Unexpected errors are
 * logged with their stack and answered without it.
 */
export function clientProxyErrorHandler(logger: Logger): ErrorRequestHandler {
  return (thrown: unknown, req, res, _next) => {
    const error = toOrtooError(thrown);
    if (error.code === 'InternalError' || error.status >= 500) {
      logger.error('client proxy request failed', {
        error: thrown,
        type: error.type,
        method: req.method,
        path: req.path,
      });
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (error.code === 'Unauthenticated') res.set('WWW-Authenticate', 'Bearer');
    // A refused upload may still be arriving: close rather than read the rest.
    if (error.code === 'PayloadTooLarge' || error.code === 'RequestTimeout') res.set('Connection', 'close');
    res.status(error.status).set('X-Road-Error', error.type).json(error.toJSON());
  };
}
