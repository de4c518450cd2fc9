/** The checks of an exchange, pure and shared: the gateway and both ends' security servers apply the same rules. */
export { ENVELOPE_SCHEMA_FILE, MESSAGE_DEPTH_OVERHEAD, validateSignedMessage } from './signed-message-schema';
export { SCHEMA_MEDIA_TYPES, assertAcceptedMediaType, mediaTypeEssence } from './accepted-media-type';
export { FORWARDED_HEADERS, checkForwardedHeaders, pickForwardedHeaders } from './forwarded-headers';
export { checkFreshness } from './check-freshness';
export { verifySignedBy } from './verify-signed-by';
export { clientMemberOf, verifyRequest } from './verify-request';
export { authorize, resolveService } from './authorize';
export { verifyAnswer } from './verify-answer';
export { dataSubjectOf, requestDataSubject } from './data-subject';
