/** The checks of an exchange, pure and shared: the gateway and both ends' security servers apply the same rules. */
export { ENVELOPE_SCHEMA_FILE, MESSAGE_DEPTH_OVERHEAD, validateSignedMessage } from './signed-message-schema';
export { SCHEMA_MEDIA_TYPES, assertAcceptedMediaType, mediaTypeEssence } from './accepted-media-type';
export {
  MAX_FORWARDED_HEADERS,
  MAX_FORWARDED_HEADER_BYTES,
  checkForwardedHeaders,
  isKeptOnHop,
  pickForwardedHeaders,
} from './forwarded-headers';
export { checkFreshness } from './check-freshness';
export { verifySignedBy } from './verify-signed-by';
export { clientMemberOf, verifyRequest } from './verify-request';
export { authorize, resolveService } from './authorize';
export { verifyAnswer } from './verify-answer';
export { dataSubjectOf, requestDataSubject } from './data-subject';
export {
  ENDPOINT_METHODS,
  MAX_ENDPOINT_PATH_LENGTH,
  compileEndpoint,
  endpointAllows,
  formatEndpoint,
  normalizeRequestPath,
  parseEndpoint,
  parseEndpointText,
  type CompiledEndpoint,
  type EndpointMethod,
  type EndpointRule,
  type NormalizedPath,
  type PathRefusal,
} from './endpoint-pattern';
