import forge from 'node-forge';

import { OrtooError } from '../errors';
import { bytesOf, childrenOf, oidOf, sequence, set, oid, stringValue, type Asn1 } from './der';
import { OID } from './oids';

/**
 * The subject or issuer of a certificate or CSR, with the attributes Örtöö
 * uses. Others found when parsing are ignored.
 */
export interface DistinguishedName {
  /** CN: who the certificate names (a server, a member, the CA). At most 64 characters. */
  readonly commonName: string;
  /** O: the organisation's legal name, any script (UTF8String). At most 64 characters. */
  readonly organization?: string;
  /** OU: the unit within it; the CA keeps the instance identifier here. At most 64 characters. */
  readonly organizationalUnit?: string;
  /** C: ISO 3166 two-letter country code, e.g. `MN`. */
  readonly country?: string;
}

type Field = keyof DistinguishedName;

// Encoding order (most significant first, as directories write it) and limits
// from RFC 5280's upper bounds. C must be a PrintableString; the rest are
// UTF8String so Cyrillic names survive.
const ATTRIBUTES: readonly { field: Field; oid: string; type: forge.asn1.Type; pattern: RegExp }[] = [
  { field: 'country', oid: OID.countryName, type: forge.asn1.Type.PRINTABLESTRING, pattern: /^[A-Z]{2}$/ },
  { field: 'organization', oid: OID.organizationName, type: forge.asn1.Type.UTF8, pattern: /^[^\0]{1,64}$/u },
  {
    field: 'organizationalUnit',
    oid: OID.organizationalUnitName,
    type: forge.asn1.Type.UTF8,
    pattern: /^[^\0]{1,64}$/u,
  },
  { field: 'commonName', oid: OID.commonName, type: forge.asn1.Type.UTF8, pattern: /^[^\0]{1,64}$/u },
];

const FIELD_BY_OID = new Map(ATTRIBUTES.map((attribute) => [attribute.oid, attribute.field]));

/**
 * Encodes a name as an X.501 RDNSequence, one attribute per RDN.
 *
 * @throws OrtooError `BadRequest` when an attribute is empty, too long, or the
 *   country is not two capital letters.
 */
export function distinguishedNameToAsn1(name: DistinguishedName): Asn1 {
  const rdns: Asn1[] = [];
  for (const attribute of ATTRIBUTES) {
    const value = name[attribute.field];
    if (value === undefined) continue;
    if (!attribute.pattern.test(value)) {
      throw new OrtooError('BadRequest', `Invalid ${attribute.field} in distinguished name`, {
        detail: { field: attribute.field },
      });
    }
    rdns.push(set(sequence(oid(attribute.oid), stringValue(attribute.type, value))));
  }
  return sequence(...rdns);
}

/**
 * Reads an RDNSequence. Attributes other than CN, O, OU and C are skipped.
 *
 * @throws Error (for the caller to wrap) when it is malformed, repeats an
 *   attribute Örtöö reads, or has no common name.
 */
export function distinguishedNameFromAsn1(node: Asn1 | undefined): DistinguishedName {
  const fields: Partial<Record<Field, string>> = {};
  for (const rdn of childrenOf(node)) {
    for (const typeAndValue of childrenOf(rdn)) {
      const [type, value] = childrenOf(typeAndValue);
      const field = FIELD_BY_OID.get(oidOf(type));
      if (field === undefined) continue;
      // Two CNs could name two different parties to two different readers.
      if (fields[field] !== undefined) throw new Error(`Repeated ${field} in distinguished name`);
      fields[field] = decodeString(value);
    }
  }
  const { commonName, ...rest } = fields;
  if (commonName === undefined) throw new Error('Distinguished name has no common name');
  return { commonName, ...rest };
}

/** The name as one line, `CN=…, O=…`, for messages and logs. */
export function formatDistinguishedName(name: DistinguishedName): string {
  const parts = [
    `CN=${name.commonName}`,
    name.organizationalUnit === undefined ? undefined : `OU=${name.organizationalUnit}`,
    name.organization === undefined ? undefined : `O=${name.organization}`,
    name.country === undefined ? undefined : `C=${name.country}`,
  ];
  return parts.filter((part) => part !== undefined).join(', ');
}

function decodeString(node: Asn1 | undefined): string {
  const bytes = bytesOf(node);
  switch (node?.type) {
    case forge.asn1.Type.UTF8:
      return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    case forge.asn1.Type.PRINTABLESTRING:
    case forge.asn1.Type.IA5STRING:
      return bytes.toString('latin1');
    case forge.asn1.Type.BMPSTRING:
      return new TextDecoder('utf-16be', { fatal: true }).decode(bytes);
    default:
      throw new Error('Unsupported string type in distinguished name');
  }
}
