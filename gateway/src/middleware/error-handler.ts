import type { ErrorRequestHandler } from 'express';
import { OrtooError, toOrtooError, type Logger } from '../../../core/src';

/** Errors body-parser raises, by their `type`, and what the caller is told. */
const BODY_PARSER_ERRORS: Record<string, OrtooError> = {
  'entity.parse.failed': new OrtooError('BadRequest', 'Body is not valid JSON'),
  'entity.too.large': new OrtooError('PayloadTooLarge', 'Body is too large'),
  'encoding.unsupported': new OrtooError('BadRequest', 'Unsupported body encoding'),
  'charset.unsupported': new OrtooError('BadRequest', 'Unsupported body charset'),
};

/**
 * The one place that turns anything thrown into an answer: `{type, message,
 * detail}` with the error's HTTP status and an `X-Road-Error` header, as X-Road
 * clients expect. Unexpected errors are logged with their stack and answered
 * without it.
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (thrown: unknown, req, res, _next) => {
    const parserType = (thrown as { type?: unknown } | null)?.type;
    const error =
      typeof parserType === 'string' && BODY_PARSER_ERRORS[parserType] !== undefined
        ? BODY_PARSER_ERRORS[parserType]
        : toOrtooError(thrown);
    if (error.code === 'InternalError' || error.status >= 500) {
      logger.error('request failed', { error: thrown, method: req.method, path: req.path });
    }
    res.status(error.status).set('X-Road-Error', error.type).json(error.toJSON());
  };
}
