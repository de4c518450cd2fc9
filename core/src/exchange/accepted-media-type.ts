import { isJsonContentType } from '../envelope/envelope';
import { OrtooError } from '../errors';
import type { GlobalConfService } from '../global-conf/global-conf';

/** The media types every service takes: what its request schema, a JSON Schema, describes. */
export const SCHEMA_MEDIA_TYPES: readonly string[] = ['application/json', 'application/*+json'];

/** A media type's essence (`type/subtype`, lower case, without parameters): what declarations name. */
export function mediaTypeEssence(contentType: string): string {
  return (contentType.split(';', 1)[0] ?? '').trim().toLowerCase();
}

/**
 * Checks that a request body's media type is one the service takes: JSON,
 * which its request schema describes and the gateway checks, or one the
 * service declares (`requestMediaTypes`), which travels as bytes. Any other
 * would travel as opaque bytes past the schema, so it is refused. A request
 * without a body passes, and so does any request of a service described by
 * OpenAPI: its operations name their own media types, which the gateway
 * checks per operation.
 *
 * @throws OrtooError `UnsupportedMediaType` naming the media types it takes.
 */
export function assertAcceptedMediaType(service: GlobalConfService, contentType: string | undefined): void {
  if (contentType === undefined || isJsonContentType(contentType) || service.openapiHash !== undefined)
    return;
  const declared = service.requestMediaTypes ?? [];
  if (declared.includes(mediaTypeEssence(contentType))) return;
  const accepted = [...SCHEMA_MEDIA_TYPES, ...declared];
  throw new OrtooError(
    'UnsupportedMediaType',
    `${service.id} takes ${accepted.join(', ')} bodies, not ${contentType.slice(0, 100)}`,
    { detail: { service: service.id, contentType: contentType.slice(0, 100), accepted } },
  );
}
