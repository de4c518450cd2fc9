import { createHmac } from 'node:crypto';

/**
 * The keyed hash a data subject's identifier is stored as: HMAC-SHA256 with the
 * instance secret, base64url. Stable for one secret, so an auditor who supplies
 * the identifier finds the records; useless without the secret, so the log
 * never reveals whom it is about.
 */
export function subjectHash(secret: Uint8Array, identifier: string): string {
  return createHmac('sha256', secret).update(identifier, 'utf8').digest('base64url');
}
