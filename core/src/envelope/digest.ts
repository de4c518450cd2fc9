import { hash } from 'node:crypto';
import { canonicalJson } from './canonical-json';

/** SHA-256 of `data`, base64url without padding: the one digest form Örtöö uses. */
export function sha256(data: string | Uint8Array): string {
  // One-shot hash(): no Hash object per call, which matters on the per-message path.
  return hash('sha256', data, 'base64url');
}

/** Digest of a JSON body: SHA-256 of its RFC 8785 canonical form, so re-serialising never changes it. */
export function jsonBodyDigest(body: unknown): string {
  return sha256(canonicalJson(body));
}

/** Digest of a body that is not JSON: SHA-256 of its bytes as sent. */
export function bytesBodyDigest(body: Uint8Array): string {
  return sha256(body);
}

/**
 * Hash of an envelope: SHA-256 of its canonical form. A response carries the
 * hash of its request (`requestHash`); audit records carry both.
 */
export function envelopeHash(envelope: object): string {
  return sha256(canonicalJson(envelope));
}
