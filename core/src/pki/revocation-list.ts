import { normalizeSerialNumber } from './serial-number';

/** One revoked certificate. */
export interface Revocation {
  /** Serial number, normalised (lowercase hex, no leading zeros). */
  readonly serialNumber: string;
  /** From when the certificate no longer counts. */
  readonly revokedAt: Date;
  /** Why, in words an auditor can read (e.g. `keyCompromise`, `superseded`). */
  readonly reason: string;
}

/** Options of {@link RevocationList.revoke}. */
export interface RevokeOptions {
  /** From when the certificate no longer counts; may lie in the past. */
  readonly revokedAt: Date;
  /** Why it was revoked. */
  readonly reason: string;
}

/**
 * The certificates the instance CA has revoked, by serial number. The gateway
 * keeps the authoritative list; security servers rebuild theirs from each
 * global configuration. Serial numbers are compared in normalised form, so
 * `'00AB'` and `'ab'` are the same certificate. Serial numbers are unique per
 * issuer, and the instance has one CA.
 */
export class RevocationList {
  readonly #entries = new Map<string, Revocation>();

  /** @param revocations - revocations to start with, e.g. from a global configuration. */
  constructor(revocations: Iterable<Revocation> = []) {
    for (const { serialNumber, revokedAt, reason } of revocations)
      this.revoke(serialNumber, { revokedAt, reason });
  }

  /** How many certificates are revoked. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * Revokes a certificate. Revocation is never undone: revoking again keeps
   * whichever revocation takes effect first.
   *
   * @returns the revocation in force.
   * @throws OrtooError `BadRequest` when the serial number is not hex.
   */
  revoke(serialNumber: string, options: RevokeOptions): Revocation {
    const serial = normalizeSerialNumber(serialNumber);
    const existing = this.#entries.get(serial);
    if (existing !== undefined && existing.revokedAt.getTime() <= options.revokedAt.getTime())
      return existing;
    const revocation = Object.freeze({
      serialNumber: serial,
      revokedAt: new Date(options.revokedAt.getTime()),
      reason: options.reason,
    });
    this.#entries.set(serial, revocation);
    return revocation;
  }

  /** The revocation of a certificate, or undefined when it is not revoked. */
  get(serialNumber: string): Revocation | undefined {
    return this.#entries.get(normalizeSerialNumber(serialNumber));
  }

  /**
   * True when the certificate is revoked, as of `at` when given (a revocation
   * that takes effect later does not count yet), or at all otherwise.
   */
  isRevoked(serialNumber: string, at?: Date): boolean {
    const revocation = this.get(serialNumber);
    return revocation !== undefined && (at === undefined || revocation.revokedAt.getTime() <= at.getTime());
  }

  /** Every revocation, in the order they were recorded. */
  entries(): Revocation[] {
    return [...this.#entries.values()];
  }
}
