import type { OrtooError, RestErrorBody } from '../../../core/src';
import { restProtocolStatus } from '../../../core/src';
import type { HttpAnswer } from './http-answer';
import { xmlText } from './xml-text';

/** Media types an error answer can take, the first the default (PR-REST 4.6). */
export const ERROR_MEDIA_TYPES = ['application/json', 'application/xml', 'text/xml'] as const;

/** One of {@link ERROR_MEDIA_TYPES}. */
export type ErrorMediaType = (typeof ERROR_MEDIA_TYPES)[number];

/** The X-Road error body as XML: `<error><type/><message/><detail/></error>`. */
function xmlBody(body: RestErrorBody): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<error><type>${xmlText(body.type)}</type><message>${xmlText(body.message)}</message>` +
    `<detail>${xmlText(body.detail)}</detail></error>`
  );
}

/**
 * The client proxy's answer for an error, as PR-REST 4.6 has it: the status
 * of its category (see `restProtocolStatus`), `X-Road-Error` with its type,
 * and the body `{type, message, detail}` (`detail` the id the error is logged
 * under; structured detail in `data`), as JSON unless the local system
 * accepts only XML, then the same fields as XML; `Content-Type` always names
 * the media type and its charset.
 */
export function errorAnswer(error: OrtooError, errorId: string, mediaType: ErrorMediaType): HttpAnswer {
  const body = error.toRestBody(errorId);
  const text = mediaType === 'application/json' ? JSON.stringify(body) : xmlBody(body);
  return {
    status: restProtocolStatus(error.type),
    headers: { 'Content-Type': `${mediaType}; charset=utf-8`, 'X-Road-Error': error.type },
    body: Buffer.from(text, 'utf8'),
  };
}
