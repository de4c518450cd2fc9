import type { ErrorRequestHandler } from 'express';
import { toOrtooError, type Logger } from '../../../core/src';

/**
 * Turns anything thrown into `{type, message, detail}` with the error's HTTP
 * status and an `X-Road-Error` header, which the gateway reads to tell a
 * transient failure (`Server.ServerProxy.NetworkError`,
 * `…BackendTimeout`) from a permanent one. Unexpected errors are logged with
 * their stack and answered without it.
 */
export function providerErrorHandler(logger: Logger): ErrorRequestHandler {
  return (thrown: unknown, req, res, _next) => {
    const error = toOrtooError(thrown);
    if (error.status >= 500) {
      logger.error('provider proxy request failed', {
        error: thrown,
        method: req.method,
        path: req.path,
        type: error.type,
      });
    }
    // The rest of an oversized message is never read: the connection cannot carry another request.
    if (error.code === 'PayloadTooLarge' || error.code === 'RequestTimeout') res.set('Connection', 'close');
    res.status(error.status).set('X-Road-Error', error.type).json(error.toJSON());
  };
}
