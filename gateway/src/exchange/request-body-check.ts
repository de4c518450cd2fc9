import {
  assertAcceptedMediaType,
  isJsonContentType,
  type GlobalConfService,
  type RequestEnvelope,
  type SignedMessage,
} from '../../../core/src';
import type { ServiceSchemaCache } from './service-schema-cache';

/**
 * The pipeline's `schema` step. For a service described by OpenAPI: the
 * request names one of its operations (else 404 or 405), and its path,
 * query and header parameters and its body match that operation's schemas;
 * a body of a media type the operation does not declare is refused (415).
 * For a single-schema service: a request's body is of a media type the
 * service takes (its request schema describes JSON, so a body sent as
 * `text/plain` or `application/octet-stream` cannot slip past it: 415,
 * unless the service declares it), and whatever JSON body the gateway
 * forwards matches the request schema.
 *
 * @throws OrtooError `UnknownOperation`, `OperationMethodNotAllowed`,
 *   `UnsupportedMediaType`, `SchemaViolation`.
 */
export async function checkRequestBody(
  schemas: ServiceSchemaCache,
  service: GlobalConfService,
  message: SignedMessage<RequestEnvelope>,
): Promise<void> {
  const { envelope } = message;
  const { contentType } = envelope;
  const json = contentType !== undefined && isJsonContentType(contentType);
  if (service.openapiHash !== undefined) {
    const api = await schemas.api(service.openapiHash);
    api.checkRequest({
      method: envelope.method,
      path: envelope.path,
      query: envelope.query,
      headers: envelope.headers,
      ...(contentType === undefined ? {} : { contentType }),
      ...(json ? { body: message.body } : {}),
    });
    return;
  }
  assertAcceptedMediaType(service, contentType);
  if (json) {
    await schemas.assertValid(service.requestSchemaHash, message.body);
  }
}
