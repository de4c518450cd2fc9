import type { RequestHandler } from 'express';
import { OrtooError, isStorableText } from '../../../core/src';

function refuse(where: string): OrtooError {
  return new OrtooError('BadRequest', `The ${where} holds U+0000 or a lone surrogate, which nothing stores`, {
    detail: { where },
  });
}

/**
 * Refuses a request whose path (each segment, percent-decoded as route
 * parameters are) or query holds text no store keeps: broken
 * percent-encoding in the path, U+0000 or a lone surrogate. Such text is
 * refused here, with a typed 400, rather than by the database as a 503.
 */
export const storableInput: RequestHandler = (req, _res, next) => {
  for (const segment of req.path.split('/')) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch (cause) {
      throw new OrtooError('BadRequest', 'Broken percent-encoding in the path', { cause });
    }
    if (!isStorableText(decoded)) throw refuse('path');
  }
  for (const [name, value] of Object.entries(req.query as Record<string, unknown>)) {
    const values: unknown[] = Array.isArray(value) ? value : [value];
    if (!isStorableText(name) || values.some((item) => typeof item === 'string' && !isStorableText(item))) {
      throw refuse('query');
    }
  }
  next();
};
