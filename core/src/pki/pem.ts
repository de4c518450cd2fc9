import forge from 'node-forge';

/**
 * PEM armour (RFC 7468) around DER.
 *
 * @internal Used by the certificate and CSR code of this folder.
 */

/** PEM of `der` under `label`, 64 columns, LF line ends, trailing newline. */
export function toPem(label: string, der: Uint8Array): string {
  const lines = Buffer.from(der)
    .toString('base64')
    .match(/.{1,64}/g);
  return `-----BEGIN ${label}-----\n${(lines ?? []).join('\n')}\n-----END ${label}-----\n`;
}

/**
 * The DER inside the one PEM block of `pem` whose label is one of `labels`.
 *
 * @throws Error (for the caller to wrap) when there is no such block or more than one.
 */
export function derFromPem(pem: string, labels: readonly string[]): Buffer {
  const blocks = forge.pem.decode(pem).filter((block) => labels.includes(block.type));
  const [block, ...others] = blocks;
  if (block === undefined || others.length > 0)
    throw new Error(`Expected exactly one PEM ${labels.join(' or ')}`);
  return Buffer.from(block.body, 'binary');
}
