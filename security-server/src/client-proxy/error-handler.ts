import { randomUUID } from 'node:crypto';
import type { ErrorRequestHandler } from 'express';
import { toOrtooError, type Logger } from '../../../core/src';
import { ERROR_MEDIA_TYPES, errorAnswer, type ErrorMediaType } from './error-answer';

/**
 * The client proxy's one error handler: whatever was thrown becomes X-Road's
 * error answer (see `errorAnswer`), so a local system can tell an exchange's
 * failure from a backend's own error answer (which has no `X-Road-Error`).
 * Errors the gateway reported travel on with the gateway's type. Each error
 * gets an id, the answer's `detail`, logged with it (errors of the exchange
 * with their stack, refusals of the caller at debug level), so an operator
 * finds it from what the local system saw.
 */
export function clientProxyErrorHandler(logger: Logger): ErrorRequestHandler {
  return (thrown: unknown, req, res, _next) => {
    const error = toOrtooError(thrown);
    const errorId = randomUUID();
    const facts = { errorId, type: error.type, method: req.method, path: req.path };
    if (error.code === 'InternalError' || error.status >= 500) {
      logger.error('client proxy request failed', { ...facts, error: thrown });
    } else {
      logger.debug('client proxy request refused', { ...facts, message: error.message });
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (error.code === 'Unauthenticated') res.set('WWW-Authenticate', 'Bearer');
    // A refused upload may still be arriving: close rather than read the rest.
    if (error.code === 'PayloadTooLarge' || error.code === 'RequestTimeout') res.set('Connection', 'close');
    const mediaType = (req.accepts([...ERROR_MEDIA_TYPES]) || 'application/json') as ErrorMediaType;
    const answer = errorAnswer(error, errorId, mediaType);
    res.status(answer.status);
    for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
    res.setHeader('Content-Length', answer.body?.length ?? 0);
    res.end(answer.body);
  };
}
