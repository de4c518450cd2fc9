/**
 * Identifiers of the parties in an exchange, as in X-Road: slash-separated
 * parts, each `[A-Za-z0-9._-]{1,64}`.
 *
 * | kind            | text form                                  |
 * |-----------------|--------------------------------------------|
 * | member          | `INSTANCE/CLASS/CODE`                      |
 * | subsystem       | `INSTANCE/CLASS/CODE/SUBSYSTEM`            |
 * | service         | `INSTANCE/CLASS/CODE/SUBSYSTEM/SERVICE`    |
 * | security server | `INSTANCE/CLASS/CODE/SERVER`               |
 *
 * A subsystem and a security server have the same shape, so text is always
 * parsed as a known kind (see `parse.ts`), never guessed.
 */

/** A member organisation, e.g. `MN/GOV/9011311`. */
export interface MemberId {
  readonly instance: string;
  readonly memberClass: string;
  readonly memberCode: string;
}

/** A member's subsystem, the party that calls or provides services, e.g. `MN/GOV/9011311/civil-registry`. */
export interface SubsystemId extends MemberId {
  readonly subsystemCode: string;
}

/** A service of a subsystem, e.g. `MN/GOV/9011311/civil-registry/person`. */
export interface ServiceId extends SubsystemId {
  readonly serviceCode: string;
}

/** A member's security server, e.g. `MN/GOV/9011311/ss1`. */
export interface SecurityServerId extends MemberId {
  readonly serverCode: string;
}

/** The kinds of identifier, for error messages and typed parsing. */
export type IdentifierKind = 'member' | 'subsystem' | 'service' | 'securityServer';

/** The longest a single part may be. */
export const MAX_PART_LENGTH = 64;

const PART = /^[A-Za-z0-9._-]{1,64}$/;
const DOTS_ONLY = /^\.+$/;

/**
 * True when `part` may stand in an identifier. Parts made only of dots are
 * refused too: `.` and `..` would be rewritten by URL and path normalisation,
 * and identifiers travel in both.
 */
export function isValidPart(part: string): boolean {
  return PART.test(part) && !DOTS_ONLY.test(part);
}
