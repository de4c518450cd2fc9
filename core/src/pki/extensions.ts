import { createHash, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';

import forge from 'node-forge';

import { OrtooError } from '../errors';
import {
  bitString,
  booleanTrue,
  bytesOf,
  childrenOf,
  contextPrimitive,
  encodeDer,
  integer,
  isContext,
  isUniversal,
  octetString,
  oid,
  oidOf,
  parseDer,
  sequence,
  type Asn1,
} from './der';
import { OID } from './oids';

/**
 * X.509 v3 extensions: building the few Örtöö's certificates carry and reading
 * them back from certificates and CSRs.
 *
 * @internal Used by the builders and parsers of this folder.
 */

/** A key usage bit of RFC 5280 §4.2.1.3, by its name there. */
export type KeyUsage =
  | 'digitalSignature'
  | 'nonRepudiation'
  | 'keyEncipherment'
  | 'dataEncipherment'
  | 'keyAgreement'
  | 'keyCertSign'
  | 'cRLSign'
  | 'encipherOnly'
  | 'decipherOnly';

// In bit order: index i is bit i of the BIT STRING.
const KEY_USAGE_BITS: readonly KeyUsage[] = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
];

const EXT_KEY_USAGE_NAMES = new Map<string, string>([
  [OID.serverAuth, 'serverAuth'],
  [OID.clientAuth, 'clientAuth'],
  [OID.codeSigning, 'codeSigning'],
  [OID.emailProtection, 'emailProtection'],
  [OID.timeStamping, 'timeStamping'],
  [OID.ocspSigning, 'OCSPSigning'],
]);

// forge converts IP addresses to and from their octets, but its typings omit it.
const ip = forge.util as unknown as {
  bytesFromIP(address: string): string | null;
  bytesToIP(bytes: string): string | null;
};

function ipFromBytes(bytes: Buffer): string {
  const address = ip.bytesToIP(bytes.toString('binary'));
  if (address === null) throw new Error('IP address in subjectAltName is neither 4 nor 16 octets');
  return address;
}

/** One extension to encode. */
export interface Extension {
  readonly oid: string;
  readonly critical: boolean;
  readonly value: Asn1;
}

/** What Örtöö reads from a certificate's or CSR's extensions. */
export interface ParsedExtensions {
  isCa: boolean;
  keyUsage: KeyUsage[];
  extKeyUsage: string[];
  dnsNames: string[];
  ipAddresses: string[];
  subjectKeyIdentifier: string | undefined;
  authorityKeyIdentifier: string | undefined;
}

/** The `Extensions` SEQUENCE of a list of extensions. */
export function extensionsToAsn1(extensions: readonly Extension[]): Asn1 {
  return sequence(
    ...extensions.map((extension) =>
      extension.critical
        ? sequence(oid(extension.oid), booleanTrue(), octetString(encodeDer(extension.value)))
        : sequence(oid(extension.oid), octetString(encodeDer(extension.value))),
    ),
  );
}

/** basicConstraints, critical; a CA may only issue end-entity certificates (pathLen 0). */
export function basicConstraints(isCa: boolean): Extension {
  const value = isCa ? sequence(booleanTrue(), integer(Buffer.from([0]))) : sequence();
  return { oid: OID.basicConstraints, critical: true, value };
}

/** keyUsage, critical. */
export function keyUsage(usages: readonly KeyUsage[]): Extension {
  const bits = KEY_USAGE_BITS.map((usage) => usages.includes(usage));
  const last = bits.lastIndexOf(true);
  // DER drops trailing zero bits and says how many bits of the last octet are unused.
  const octets = Buffer.alloc(Math.floor(last / 8) + 1);
  bits.forEach((on, index) => {
    if (on) octets[index >> 3] = (octets[index >> 3] ?? 0) | (0x80 >> (index & 7));
  });
  return { oid: OID.keyUsage, critical: true, value: bitString(octets, octets.length * 8 - (last + 1)) };
}

/** extKeyUsage, not critical, from OIDs. */
export function extKeyUsage(oids: readonly string[]): Extension {
  return { oid: OID.extKeyUsage, critical: false, value: sequence(...oids.map(oid)) };
}

/**
 * subjectAltName with DNS names and IP addresses.
 *
 * @throws OrtooError `BadRequest` for a malformed host name or IP address.
 */
export function subjectAltName(dnsNames: readonly string[], ipAddresses: readonly string[]): Extension {
  const names = [
    ...dnsNames.map((name) => {
      if (!HOST_NAME.test(name))
        throw new OrtooError('BadRequest', 'Invalid DNS name', { detail: { dnsName: name } });
      return contextPrimitive(2, Buffer.from(name, 'ascii'));
    }),
    ...ipAddresses.map((address) => {
      const bytes = isIP(address) === 0 ? null : ip.bytesFromIP(address);
      if (bytes === null)
        throw new OrtooError('BadRequest', 'Invalid IP address', { detail: { ipAddress: address } });
      return contextPrimitive(7, Buffer.from(bytes, 'binary'));
    }),
  ];
  return { oid: OID.subjectAltName, critical: false, value: sequence(...names) };
}

// An LDH host name, optionally with one leading wildcard label.
const HOST_NAME = /^(\*\.)?[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/** subjectKeyIdentifier, not critical. */
export function subjectKeyIdentifier(keyId: Uint8Array): Extension {
  return { oid: OID.subjectKeyIdentifier, critical: false, value: octetString(keyId) };
}

/** authorityKeyIdentifier naming the issuer's key, not critical. */
export function authorityKeyIdentifier(keyId: Uint8Array): Extension {
  return { oid: OID.authorityKeyIdentifier, critical: false, value: sequence(contextPrimitive(0, keyId)) };
}

/**
 * The key identifier of a public key: SHA-1 of its subjectPublicKey bits,
 * method (1) of RFC 5280 §4.2.1.2, as openssl computes it.
 */
export function keyIdentifier(publicKey: KeyObject): Buffer {
  const [, subjectPublicKey] = childrenOf(parseDer(publicKey.export({ format: 'der', type: 'spki' })));
  return createHash('sha1').update(bytesOf(subjectPublicKey).subarray(1)).digest();
}

/**
 * Reads an `Extensions` SEQUENCE (or undefined when there is none).
 *
 * @throws Error (for the caller to wrap) when an extension Örtöö reads is
 *   malformed or an extension appears twice.
 */
export function readExtensions(node: Asn1 | undefined): ParsedExtensions {
  const parsed: ParsedExtensions = {
    isCa: false,
    keyUsage: [],
    extKeyUsage: [],
    dnsNames: [],
    ipAddresses: [],
    subjectKeyIdentifier: undefined,
    authorityKeyIdentifier: undefined,
  };
  const seen = new Set<string>();
  for (const extension of node === undefined ? [] : childrenOf(node)) {
    const parts = childrenOf(extension);
    const id = oidOf(parts[0]);
    if (seen.has(id)) throw new Error(`Repeated extension ${id}`);
    seen.add(id);
    const value = parts[parts.length - 1];
    if (!isUniversal(value, forge.asn1.Type.OCTETSTRING))
      throw new Error('Extension value is not an OCTET STRING');
    readExtension(parsed, id, parseDer(bytesOf(value)));
  }
  return parsed;
}

function readExtension(parsed: ParsedExtensions, id: string, value: Asn1): void {
  switch (id) {
    case OID.basicConstraints: {
      const [cA] = childrenOf(value);
      parsed.isCa = isUniversal(cA, forge.asn1.Type.BOOLEAN) && bytesOf(cA)[0] !== 0;
      return;
    }
    case OID.keyUsage: {
      const bytes = bytesOf(value).subarray(1);
      parsed.keyUsage = KEY_USAGE_BITS.filter(
        (_, index) => ((bytes[index >> 3] ?? 0) & (0x80 >> (index & 7))) !== 0,
      );
      return;
    }
    case OID.extKeyUsage:
      parsed.extKeyUsage = childrenOf(value).map((purpose) => {
        const dotted = oidOf(purpose);
        return EXT_KEY_USAGE_NAMES.get(dotted) ?? dotted;
      });
      return;
    case OID.subjectAltName:
      for (const name of childrenOf(value)) {
        if (isContext(name, 2)) parsed.dnsNames.push(bytesOf(name).toString('ascii'));
        if (isContext(name, 7)) parsed.ipAddresses.push(ipFromBytes(bytesOf(name)));
      }
      return;
    case OID.subjectKeyIdentifier:
      parsed.subjectKeyIdentifier = bytesOf(value).toString('hex');
      return;
    case OID.authorityKeyIdentifier: {
      const keyId = childrenOf(value).find((part) => isContext(part, 0));
      parsed.authorityKeyIdentifier = keyId === undefined ? undefined : bytesOf(keyId).toString('hex');
      return;
    }
  }
}
