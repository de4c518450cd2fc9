import { canonicalJson } from './canonical-json';
import type { Envelope, SignedMessage } from './envelope';
import type { UnsignedMessage } from './build-envelope';
import {
  type JwsAlgorithm,
  type JwsSigner,
  type SignerKey,
  type SignerResolver,
  verifyDetachedJws,
} from './jws';
import { wireBodyDigest } from './message-body';
import { OrtooError } from '../errors';

/** Signs an envelope: a detached JWS over its RFC 8785 canonical form. */
export function signMessage<E extends Envelope>(
  message: UnsignedMessage<E>,
  signer: JwsSigner,
): SignedMessage<E> {
  const signature = signer.sign(canonicalJson(message.envelope));
  return message.body === undefined
    ? { envelope: message.envelope, signature }
    : { envelope: message.envelope, body: message.body, signature };
}

/** Checks that the body is the one the envelope names: present exactly when digested, and matching. */
function checkBody(message: SignedMessage): void {
  const { envelope, body } = message;
  if (envelope.bodyDigest === undefined || envelope.contentType === undefined) {
    if (body !== undefined || envelope.bodyDigest !== envelope.contentType) {
      throw new OrtooError('InvalidEnvelope', 'Body, content type and body digest must come together');
    }
    return;
  }
  if (body === undefined) throw new OrtooError('InvalidEnvelope', 'Envelope names a body that is missing');
  if (wireBodyDigest(envelope.contentType, body) !== envelope.bodyDigest) {
    throw new OrtooError('BodyDigestMismatch', 'Body does not match the signed body digest');
  }
}

/**
 * Verifies a signed message end to end: the body against the envelope's
 * digest, then the signature over the canonical envelope. Callers validate the
 * message against `schemas/envelope.schema.json` first and check the signer's
 * certificate after.
 *
 * @throws OrtooError `InvalidEnvelope`, `BodyDigestMismatch`, `InvalidSignature`,
 *   `UnsupportedAlgorithm` or `UnknownSigner`.
 */
export function verifyMessage<S extends SignerKey>(
  message: SignedMessage,
  resolve: SignerResolver<S>,
  algorithms?: readonly JwsAlgorithm[],
): S {
  checkBody(message);
  return verifyDetachedJws(canonicalJson(message.envelope), message.signature, resolve, algorithms).signer;
}
