/**
 * The parts of a slash-separated identifier (`MN/GOV/9011311/ss1`) under the
 * names of the API's path parameters, for `openapi-fetch`'s typed paths.
 */
export function idParts<const N extends readonly string[]>(
  id: string,
  names: N,
): { [K in N[number]]: string } {
  const parts = id.split('/');
  return Object.fromEntries(names.map((name, index) => [name, parts[index] ?? ''])) as {
    [K in N[number]]: string;
  };
}

export const MEMBER = ['instance', 'memberClass', 'memberCode'] as const;
export const SUBSYSTEM = [...MEMBER, 'subsystemCode'] as const;
export const SERVER = [...MEMBER, 'serverCode'] as const;
export const SERVICE = [...SUBSYSTEM, 'serviceCode'] as const;
export const GROUP = ['instance', 'groupCode'] as const;
