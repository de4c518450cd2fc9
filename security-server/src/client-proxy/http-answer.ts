import {
  isJsonContentType,
  xRoadRequestHash,
  type RequestEnvelope,
  type ResponseEnvelope,
  type SignedMessage,
} from '../../../core/src';

/** An HTTP answer of the client proxy, ready to write. */
export interface HttpAnswer {
  readonly status: number;
  /** Header names as they are written. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: Buffer;
}

/** `X-Road-Id`, `X-Road-Client` and `X-Road-Service` of a message, as X-Road's REST answers carry them. */
export function xRoadHeadersOf(envelope: RequestEnvelope | ResponseEnvelope): Record<string, string> {
  return {
    'X-Road-Id': envelope.id,
    'X-Road-Client': envelope.client,
    'X-Road-Service': envelope.service,
  };
}

/**
 * The HTTP answer to a local system for a provider's verified answer to
 * `request`: the backend's status, its end-to-end headers, its body (JSON as
 * JSON text, other media types as the bytes) and media type, and the X-Road
 * headers of PR-REST 4.3 (the provider's own `X-Road-*` never travel, see
 * `forwarded-headers.ts`): `X-Road-Id`, `X-Road-Client`, `X-Road-Service`,
 * `X-Road-Request-Hash` (SHA-512 of the request, see `xRoadRequestHash`; the
 * answer is bound to that request by the provider's signature over its
 * `requestHash`, which `verifyAnswer` checked) and `X-Road-Request-Id` (the
 * request envelope's nonce: one value per request, also when a client sends
 * the same `X-Road-Id` again).
 */
export function httpAnswerOf(
  answer: SignedMessage<ResponseEnvelope>,
  request: Pick<SignedMessage<RequestEnvelope>, 'envelope' | 'body'>,
): HttpAnswer {
  const { envelope } = answer;
  const headers: Record<string, string> = { ...envelope.headers };
  let body: Buffer | undefined;
  if (envelope.contentType !== undefined && answer.body !== undefined) {
    headers['content-type'] = envelope.contentType;
    body = isJsonContentType(envelope.contentType)
      ? Buffer.from(JSON.stringify(answer.body), 'utf8')
      : Buffer.from(answer.body as string, 'base64');
  }
  Object.assign(headers, xRoadHeadersOf(envelope), {
    'X-Road-Request-Hash': xRoadRequestHash(request),
    'X-Road-Request-Id': request.envelope.nonce,
  });
  return body === undefined
    ? { status: envelope.status, headers }
    : { status: envelope.status, headers, body };
}

/** A JSON answer made by the client proxy itself (metaservices, async status). */
export function jsonAnswer(status: number, value: unknown, headers: Record<string, string> = {}): HttpAnswer {
  return {
    status,
    headers: { ...headers, 'content-type': 'application/json; charset=utf-8' },
    body: Buffer.from(JSON.stringify(value), 'utf8'),
  };
}
