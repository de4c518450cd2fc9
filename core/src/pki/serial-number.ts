import { randomBytes } from 'node:crypto';

import { OrtooError } from '../errors';

/**
 * Certificate serial numbers, written one way everywhere: lowercase hex, no
 * leading zeros, no separators (`'1a2b'`, never `'001A2B'` or `'1a:2b'`).
 * Certificates, revocation lists and the registry all compare this form.
 */

/** The longest serial RFC 5280 allows, in DER content octets. */
const MAX_SERIAL_OCTETS = 20;

/**
 * Normalises a hex serial number (any case, leading zeros, optional `:`
 * separators as openssl prints them) to Örtöö's form.
 *
 * @throws OrtooError `BadRequest` when it is not hex.
 */
export function normalizeSerialNumber(serial: string): string {
  const hex = serial.replaceAll(':', '');
  if (!/^[0-9a-fA-F]+$/.test(hex)) {
    throw new OrtooError('BadRequest', 'Serial number must be hexadecimal', {
      detail: { serialNumber: serial },
    });
  }
  return hex.toLowerCase().replace(/^0+(?=.)/, '');
}

/** A fresh random positive 128-bit serial number, normalised. */
export function randomSerialNumber(): string {
  return normalizeSerialNumber(randomBytes(16).toString('hex'));
}

/**
 * The DER INTEGER content octets of a positive serial number: a leading zero
 * octet is added when the top bit is set, so it never reads as negative.
 *
 * @throws OrtooError `BadRequest` for zero or a serial longer than 20 octets.
 *
 * @internal Used by the certificate builder.
 */
export function serialNumberToBytes(serial: string): Buffer {
  const hex = normalizeSerialNumber(serial);
  const magnitude = Buffer.from(hex.length % 2 === 0 ? hex : `0${hex}`, 'hex');
  const bytes = (magnitude[0] ?? 0) >= 0x80 ? Buffer.concat([Buffer.from([0]), magnitude]) : magnitude;
  if (hex === '0' || bytes.length > MAX_SERIAL_OCTETS) {
    throw new OrtooError('BadRequest', 'Serial number must be positive and at most 20 octets', {
      detail: { serialNumber: hex },
    });
  }
  return bytes;
}
