import type { MemberId, SecurityServerId, ServiceId, SubsystemId } from './identifier';

/** `INSTANCE/CLASS/CODE` of a member, or of the member that owns a subsystem, service or server. */
export function formatMemberId(id: MemberId): string {
  return `${id.instance}/${id.memberClass}/${id.memberCode}`;
}

/** `INSTANCE/CLASS/CODE/SUBSYSTEM` of a subsystem, or of the subsystem that provides a service. */
export function formatSubsystemId(id: SubsystemId): string {
  return `${formatMemberId(id)}/${id.subsystemCode}`;
}

/** `INSTANCE/CLASS/CODE/SUBSYSTEM/SERVICE`. */
export function formatServiceId(id: ServiceId): string {
  return `${formatSubsystemId(id)}/${id.serviceCode}`;
}

/** `INSTANCE/CLASS/CODE/SERVER`. */
export function formatSecurityServerId(id: SecurityServerId): string {
  return `${formatMemberId(id)}/${id.serverCode}`;
}
