import {
  OrtooError,
  buildResponse,
  isJsonContentType,
  parseStrictJson,
  pickForwardedHeaders,
  type BuildOptions,
  type JsonValue,
  type MessageBody,
  type RequestEnvelope,
  type ResponseEnvelope,
  type ResponseParams,
  type UnsignedMessage,
} from '../../../core/src';
import { fromHeaderValue } from './header-text';

/** What a backend answered, read whole. */
export interface BackendResponse {
  readonly status: number;
  /** As Node gives them: names in lower case, values one byte per character. */
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  readonly body: Buffer;
}

/** Media type of a body whose backend named none, or one an envelope cannot carry. */
export const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

/** What the envelope schema admits as a media type (`contentType` in `schemas/envelope.schema.json`). */
const CONTENT_TYPE = /^[A-Za-z0-9!#$&^_.+-]+\/[A-Za-z0-9!#$&^_.+-]+( *;[ -~]*)?$/;
/** What the envelope schema admits as a header name. */
const HEADER_NAME = /^[a-z0-9!#$%&'*+.^_`|~-]{1,128}$/;
/** What the envelope schema admits as a header value: no control characters, 16384 at most. */
function isHeaderText(value: string): boolean {
  if (value.length > 16384) return false;
  for (let i = 0; i < value.length; i += 1) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return false;
  }
  return true;
}

/** The backend's media type if an envelope can carry it, else {@link DEFAULT_CONTENT_TYPE}. */
function contentTypeOf(response: BackendResponse): string {
  const value = response.headers['content-type'];
  const text = typeof value === 'string' ? value.trim() : undefined;
  return text !== undefined && text.length <= 255 && CONTENT_TYPE.test(text) ? text : DEFAULT_CONTENT_TYPE;
}

/**
 * The body for the envelope: parsed JSON for a JSON media type, the bytes
 * otherwise; none when the backend sent no bytes.
 *
 * @throws OrtooError `InvalidAnswer` when a JSON media type carries no valid UTF-8 JSON.
 */
function answerBody(response: BackendResponse): MessageBody | undefined {
  if (response.body.length === 0) return undefined;
  const contentType = contentTypeOf(response);
  if (!isJsonContentType(contentType)) return { contentType, bytes: response.body };
  let json: JsonValue;
  try {
    json = parseStrictJson(response.body, { what: 'The answer' }) as JsonValue;
  } catch (cause) {
    // Not JSON, too deep, or strings no message log keeps (U+0000, lone surrogates).
    throw new OrtooError('InvalidAnswer', `Backend answered ${contentType} that is not strict JSON`, {
      detail: { status: response.status, contentType },
      cause,
    });
  }
  return { contentType, json };
}

/**
 * The end-to-end response headers (see `pickForwardedHeaders`), as text (see
 * `header-text.ts`); a header the envelope schema would refuse (a name over
 * 128 characters, a value with control characters or over 16384) is left out
 * rather than failing the whole answer.
 */
function answerHeaders(response: BackendResponse): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, raw] of Object.entries(pickForwardedHeaders('response', response.headers))) {
    const value = fromHeaderValue(raw);
    if (HEADER_NAME.test(name) && isHeaderText(value)) headers[name] = value;
  }
  return headers;
}

/**
 * What the signed answer says about a backend's answer: its status (a 4xx or
 * 5xx included: that is the backend's answer, not a failure of the
 * exchange), its end-to-end headers and its body by media type.
 *
 * @throws OrtooError `InvalidAnswer` for a status outside 100–599 or a JSON
 *   media type without valid JSON.
 */
export function answerParams(response: BackendResponse): ResponseParams {
  if (!Number.isInteger(response.status) || response.status < 100 || response.status > 599) {
    throw new OrtooError('InvalidAnswer', `Backend answered with status ${response.status}`, {
      detail: { status: response.status },
    });
  }
  const body = answerBody(response);
  const headers = answerHeaders(response);
  return body === undefined
    ? { status: response.status, headers }
    : { status: response.status, headers, body };
}

/**
 * The unsigned answer to `request` made of a backend's answer, bound to the
 * request by its hash; the caller signs it with the server's signer.
 *
 * @throws OrtooError `InvalidAnswer`, see {@link answerParams}.
 */
export function buildBackendAnswer(
  request: RequestEnvelope,
  response: BackendResponse,
  options: BuildOptions = {},
): UnsignedMessage<ResponseEnvelope> {
  return buildResponse(request, answerParams(response), options);
}
