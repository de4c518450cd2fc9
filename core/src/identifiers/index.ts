/** Identifiers of members, subsystems, services and security servers. */
export {
  MAX_PART_LENGTH,
  isValidPart,
  type IdentifierKind,
  type MemberId,
  type SecurityServerId,
  type ServiceId,
  type SubsystemId,
} from './identifier';
export { parseMemberId, parseSecurityServerId, parseServiceId, parseSubsystemId } from './parse';
export { formatMemberId, formatSecurityServerId, formatServiceId, formatSubsystemId } from './format';
