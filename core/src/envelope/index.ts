/** Envelopes of an exchange: canonical JSON, digests, building, signing and verifying. */
export { canonicalJson, type JsonValue } from './canonical-json';
export { bytesBodyDigest, envelopeHash, jsonBodyDigest, sha256 } from './digest';
export { xRoadRequestHash } from './request-hash';
export {
  ENVELOPE_VERSION,
  isJsonContentType,
  type DetachedJws,
  type Envelope,
  HTTP_METHODS,
  type HttpMethod,
  type RequestEnvelope,
  type ResponseEnvelope,
  type SignedMessage,
} from './envelope';
export { encodeBody, wireBodyDigest, type EncodedBody, type MessageBody } from './message-body';
export {
  buildRequest,
  buildResponse,
  type BuildOptions,
  type RequestParams,
  type ResponseParams,
  type UnsignedMessage,
} from './build-envelope';
export {
  JWS_ALGORITHMS,
  createJwsSigner,
  verifyDetachedJws,
  type JwsAlgorithm,
  type JwsHeader,
  type JwsSigner,
  type JwsSignerOptions,
  type SignerKey,
  type SignerResolver,
  type VerifiedJws,
} from './jws';
export { signMessage, verifyMessage } from './message-signature';
