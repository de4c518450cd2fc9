/** The cosigner key name of a security server's witness key: `witness/<server id>`. */
export function witnessKeyName(serverId: string): string {
  return `witness/${serverId}`;
}
