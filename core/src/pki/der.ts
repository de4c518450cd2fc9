import forge from 'node-forge';

/**
 * Small DER toolkit over node-forge's ASN.1 module, shared by the builders and
 * parsers of this folder. Forge speaks "binary strings" (one char per byte);
 * everything here takes and returns Buffers so callers never see them.
 *
 * @internal Not part of the public PKI surface.
 */

/** A node of forge's ASN.1 tree. */
export type Asn1 = forge.asn1.Asn1;

const { asn1 } = forge;
const { Class, Type } = asn1;

// forge's typings only declare the old boolean `strict` argument.
const fromDer = asn1.fromDer as unknown as (
  bytes: string,
  options: { strict: boolean; parseAllBytes: boolean; decodeBitStrings: boolean },
) => Asn1;

/**
 * Parses one complete DER element. Bit strings are kept as bytes (forge would
 * otherwise try to read an ECDSA signature or RSA key inside them as ASN.1),
 * and trailing bytes are refused.
 */
export function parseDer(der: Uint8Array): Asn1 {
  return fromDer(Buffer.from(der).toString('binary'), {
    strict: true,
    parseAllBytes: true,
    decodeBitStrings: false,
  });
}

/** Encodes an ASN.1 tree as DER. */
export function encodeDer(node: Asn1): Buffer {
  return Buffer.from(asn1.toDer(node).getBytes(), 'binary');
}

/** The bytes a primitive node holds. */
export function bytesOf(node: Asn1 | undefined): Buffer {
  if (node === undefined || typeof node.value !== 'string')
    throw new Error('Expected a primitive ASN.1 value');
  return Buffer.from(node.value, 'binary');
}

/** The children of a constructed node. */
export function childrenOf(node: Asn1 | undefined): Asn1[] {
  if (node === undefined || typeof node.value === 'string')
    throw new Error('Expected a constructed ASN.1 value');
  return node.value;
}

/** True when `node` is the universal type `type`. */
export function isUniversal(node: Asn1 | undefined, type: forge.asn1.Type): node is Asn1 {
  return node !== undefined && node.tagClass === Class.UNIVERSAL && node.type === type;
}

/** True when `node` is the context-specific tag `[tag]`. */
export function isContext(node: Asn1 | undefined, tag: number): node is Asn1 {
  return node !== undefined && node.tagClass === Class.CONTEXT_SPECIFIC && node.type === tag;
}

/** The dotted OID an OBJECT IDENTIFIER node holds. */
export function oidOf(node: Asn1 | undefined): string {
  if (!isUniversal(node, Type.OID)) throw new Error('Expected an OBJECT IDENTIFIER');
  return asn1.derToOid(bytesOf(node).toString('binary'));
}

/**
 * The raw TLV elements inside a DER SEQUENCE, byte for byte as encoded. A
 * signature covers the bytes that were sent, so the signed part of a CSR is
 * taken from here rather than re-encoded from a parsed tree.
 */
export function rawChildren(der: Uint8Array): Buffer[] {
  const buffer = Buffer.from(der);
  const outer = readElement(buffer, 0);
  if (buffer[0] !== 0x30 || outer.end !== buffer.length) throw new Error('Expected one DER SEQUENCE');
  const children: Buffer[] = [];
  for (let offset = outer.contentStart; offset < outer.end;) {
    const child = readElement(buffer, offset);
    if (child.end > outer.end) throw new Error('DER element overruns its parent');
    children.push(buffer.subarray(offset, child.end));
    offset = child.end;
  }
  return children;
}

// Reads the header of one element with a single-byte tag at `offset`.
function readElement(buffer: Buffer, offset: number): { contentStart: number; end: number } {
  const tag = buffer[offset];
  const first = buffer[offset + 1];
  // Multi-byte tags never occur at the levels this reads.
  if (tag === undefined || first === undefined || (tag & 0x1f) === 0x1f) throw new Error('Bad DER header');
  if (first < 0x80) return { contentStart: offset + 2, end: checkEnd(buffer, offset + 2 + first) };
  const lengthBytes = first - 0x80;
  if (lengthBytes === 0 || lengthBytes > 4) throw new Error('Bad DER length');
  let length = 0;
  for (let i = 0; i < lengthBytes; i++) {
    const byte = buffer[offset + 2 + i];
    if (byte === undefined) throw new Error('Truncated DER length');
    length = length * 256 + byte;
  }
  const contentStart = offset + 2 + lengthBytes;
  return { contentStart, end: checkEnd(buffer, contentStart + length) };
}

function checkEnd(buffer: Buffer, end: number): number {
  if (end > buffer.length) throw new Error('Truncated DER element');
  return end;
}

/** SEQUENCE of the given nodes. */
export function sequence(...items: Asn1[]): Asn1 {
  return asn1.create(Class.UNIVERSAL, Type.SEQUENCE, true, items);
}

/** SET of the given nodes. */
export function set(...items: Asn1[]): Asn1 {
  return asn1.create(Class.UNIVERSAL, Type.SET, true, items);
}

/** OBJECT IDENTIFIER from its dotted form. */
export function oid(dotted: string): Asn1 {
  return asn1.create(Class.UNIVERSAL, Type.OID, false, asn1.oidToDer(dotted).getBytes());
}

/** INTEGER from its two's-complement big-endian bytes. */
export function integer(bytes: Uint8Array): Asn1 {
  return asn1.create(Class.UNIVERSAL, Type.INTEGER, false, Buffer.from(bytes).toString('binary'));
}

/** BOOLEAN TRUE (DER never encodes a FALSE that is the default). */
export function booleanTrue(): Asn1 {
  return asn1.create(Class.UNIVERSAL, Type.BOOLEAN, false, '\xff');
}

/** NULL. */
export function nullValue(): Asn1 {
  return asn1.create(Class.UNIVERSAL, Type.NULL, false, '');
}

/** OCTET STRING holding `bytes`. */
export function octetString(bytes: Uint8Array): Asn1 {
  return asn1.create(Class.UNIVERSAL, Type.OCTETSTRING, false, Buffer.from(bytes).toString('binary'));
}

/** BIT STRING holding `bytes`, of which the last `unusedBits` bits do not count. */
export function bitString(bytes: Uint8Array, unusedBits = 0): Asn1 {
  return asn1.create(
    Class.UNIVERSAL,
    Type.BITSTRING,
    false,
    String.fromCharCode(unusedBits) + Buffer.from(bytes).toString('binary'),
  );
}

/** A string of the given universal type; UTF8String values are encoded here. */
export function stringValue(type: forge.asn1.Type, value: string): Asn1 {
  const bytes = type === Type.UTF8 ? forge.util.encodeUtf8(value) : value;
  return asn1.create(Class.UNIVERSAL, type, false, bytes);
}

/** A constructed context-specific `[tag]` wrapping `items`. */
export function contextConstructed(tag: number, items: Asn1[]): Asn1 {
  return asn1.create(Class.CONTEXT_SPECIFIC, tag as forge.asn1.Type, true, items);
}

/** A primitive context-specific `[tag]` holding `bytes` (IMPLICIT tagging). */
export function contextPrimitive(tag: number, bytes: Uint8Array): Asn1 {
  return asn1.create(
    Class.CONTEXT_SPECIFIC,
    tag as forge.asn1.Type,
    false,
    Buffer.from(bytes).toString('binary'),
  );
}

/**
 * A certificate validity time: UTCTime through 2049, GeneralizedTime after, as
 * RFC 5280 requires. Sub-second precision is dropped.
 */
export function time(date: Date): Asn1 {
  return date.getUTCFullYear() < 2050
    ? asn1.create(Class.UNIVERSAL, Type.UTCTIME, false, asn1.dateToUtcTime(date))
    : asn1.create(Class.UNIVERSAL, Type.GENERALIZEDTIME, false, asn1.dateToGeneralizedTime(date));
}

/** The instant a UTCTime or GeneralizedTime node holds. */
export function dateOf(node: Asn1 | undefined): Date {
  if (isUniversal(node, Type.UTCTIME)) return asn1.utcTimeToDate(bytesOf(node).toString('binary'));
  if (isUniversal(node, Type.GENERALIZEDTIME))
    return asn1.generalizedTimeToDate(bytesOf(node).toString('binary'));
  throw new Error('Expected a UTCTime or GeneralizedTime');
}
