/**
 * Where each kind of object lives in the admin API. Identifiers travel as
 * path segments, one per part (`MN/GOV/9011311` → `/v1/members/MN/GOV/9011311`);
 * other keys (serials, UUIDs) as one encoded segment.
 */

/** The parts of a slash-separated identifier (already checked by `options.ts`), each encoded. */
function segments(id: string): string {
  return id.split('/').map(encodeURIComponent).join('/');
}

/** One encoded segment. */
function segment(key: string): string {
  return encodeURIComponent(key);
}

export const memberPath = (id: string) => `/v1/members/${segments(id)}`;
export const subsystemPath = (id: string) => `/v1/subsystems/${segments(id)}`;
export const securityServerPath = (id: string) => `/v1/security-servers/${segments(id)}`;
export const groupPath = (id: string) => `/v1/groups/${segments(id)}`;
export const groupMemberPath = (group: string, subsystem: string) =>
  `${groupPath(group)}/members/${segments(subsystem)}`;
/** Every version of a service, or one of them. */
export const servicePath = (id: string, version?: string) =>
  version === undefined
    ? `/v1/services/${segments(id)}`
    : `/v1/services/${segments(id)}/versions/${segment(version)}`;
export const accessRightPath = (id: string) => `/v1/access-rights/${segment(id)}`;
export const registrationPath = (id: string) => `/v1/registrations/${segment(id)}`;
export const certificatePath = (serial: string) => `/v1/certificates/${segment(serial)}`;
export const tokenPath = (id: string) => `/v1/tokens/${segment(id)}`;
