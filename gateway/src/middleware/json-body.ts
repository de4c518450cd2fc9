import type { RequestHandler } from 'express';
import { OrtooError, isJsonContentType, parseStrictJson, readRequestBody } from '../../../core/src';

/** Options of {@link jsonBody}. */
export interface JsonBodyOptions {
  /** Largest body accepted, in bytes. */
  readonly limitBytes: number;
  /** Deepest nesting of arrays and objects. */
  readonly maxDepth: number;
}

/**
 * Reads a request's body with the core's reader (size limit, body-idle
 * timeout) and parses it as strict JSON (no byte order mark, nesting
 * limited, no U+0000 or lone surrogate in any string, so nothing the store
 * would refuse gets past here): `req.body`, or undefined for an empty body.
 * A body of another media type is `415 Client.UnsupportedMediaType`.
 */
export function jsonBody(options: JsonBodyOptions): RequestHandler {
  return (req, _res, next) => {
    readRequestBody(req, { limitBytes: options.limitBytes })
      .then((bytes) => {
        if (bytes.length === 0) return;
        const contentType = req.get('content-type') ?? '';
        if (!isJsonContentType(contentType)) {
          throw new OrtooError('UnsupportedMediaType', 'The admin API takes application/json bodies', {
            detail: { contentType: contentType.slice(0, 100) },
          });
        }
        req.body = parseStrictJson(bytes, { maxDepth: options.maxDepth });
      })
      .then(() => next(), next);
  };
}
