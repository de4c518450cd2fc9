import {
  assertAcceptedMediaType,
  isJsonContentType,
  type GlobalConfService,
  type RequestEnvelope,
  type SignedMessage,
} from '../../../core/src';
import type { ServiceSchemaCache } from './service-schema-cache';

/**
 * The pipeline's `schema` step: a request's body is of a media type the
 * service takes (its request schema describes JSON, so a body sent as
 * `text/plain` or `application/octet-stream` cannot slip past it: 415,
 * unless the service declares it), and whatever JSON body the gateway
 * forwards matches the request schema.
 *
 * @throws OrtooError `UnsupportedMediaType`, `SchemaViolation`.
 */
export async function checkRequestBody(
  schemas: ServiceSchemaCache,
  service: GlobalConfService,
  message: SignedMessage<RequestEnvelope>,
): Promise<void> {
  const { contentType } = message.envelope;
  assertAcceptedMediaType(service, contentType);
  if (contentType !== undefined && isJsonContentType(contentType)) {
    await schemas.assertValid(service.requestSchemaHash, message.body);
  }
}
