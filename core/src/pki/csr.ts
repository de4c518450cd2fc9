import { createPublicKey, type KeyObject } from 'node:crypto';

import forge from 'node-forge';

import { OrtooError } from '../errors';
import {
  bitString,
  bytesOf,
  childrenOf,
  contextConstructed,
  encodeDer,
  integer,
  isContext,
  isUniversal,
  oid,
  oidOf,
  parseDer,
  rawChildren,
  sequence,
  set,
} from './der';
import {
  distinguishedNameFromAsn1,
  distinguishedNameToAsn1,
  type DistinguishedName,
} from './distinguished-name';
import { extensionsToAsn1, readExtensions, subjectAltName } from './extensions';
import type { KeyPair } from './key-pair';
import { OID } from './oids';
import { derFromPem, toPem } from './pem';
import { signatureAlgorithmFor, signDer, verifyDer } from './signature-algorithm';

/** What goes into a certificate signing request (PKCS#10). */
export interface CreateCsrParams {
  /** The subject the certificate should name. */
  readonly subject: DistinguishedName;
  /** The key pair to certify; the CSR is signed with its private key. */
  readonly keyPair: KeyPair;
  /**
   * DNS names for the subjectAltName of a TLS (auth) certificate.
   * @defaultValue `[]`
   */
  readonly dnsNames?: readonly string[];
  /**
   * IP addresses (v4 or v6) for the subjectAltName of a TLS (auth) certificate.
   * @defaultValue `[]`
   */
  readonly ipAddresses?: readonly string[];
}

/** A CSR whose signature has been checked. */
export interface ParsedCsr {
  readonly subject: DistinguishedName;
  /** The key to certify (EC P-256 or RSA of 2048 bits or more). */
  readonly publicKey: KeyObject;
  /** DNS names requested in the subjectAltName extension. */
  readonly dnsNames: readonly string[];
  /** IP addresses requested in the subjectAltName extension. */
  readonly ipAddresses: readonly string[];
}

const CSR_LABELS = ['CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST'];

/**
 * Makes a PEM certificate signing request, signed with the pair's private key
 * (ES256 for EC keys, SHA-256 with RSA for RSA keys). Names for the
 * subjectAltName travel in a PKCS#9 extensionRequest.
 *
 * @throws OrtooError `BadRequest` for an invalid subject or name,
 *   `UnsupportedAlgorithm` for a key Örtöö does not accept.
 */
export function createCsr(params: CreateCsrParams): string {
  const { subject, keyPair, dnsNames = [], ipAddresses = [] } = params;
  const attributes =
    dnsNames.length + ipAddresses.length === 0
      ? []
      : [sequence(oid(OID.extensionRequest), set(extensionsToAsn1([subjectAltName(dnsNames, ipAddresses)])))];
  const info = encodeDer(
    sequence(
      integer(Buffer.from([0])),
      distinguishedNameToAsn1(subject),
      parseDer(keyPair.publicKey.export({ format: 'der', type: 'spki' })),
      contextConstructed(0, attributes),
    ),
  );
  const algorithm = signatureAlgorithmFor(keyPair.privateKey);
  const signature = signDer(keyPair.privateKey, info);
  return toPem('CERTIFICATE REQUEST', encodeDer(sequence(parseDer(info), algorithm, bitString(signature))));
}

/**
 * Reads a PEM certificate signing request and checks that it is signed by the
 * key it asks to certify (proof of possession). Requested extensions other
 * than the subjectAltName are ignored: the CA decides what a certificate says.
 *
 * @throws OrtooError `BadRequest` when it is malformed or its signature does
 *   not verify, `UnsupportedAlgorithm` for a key or signature algorithm Örtöö
 *   does not accept.
 */
export function parseCsr(pem: string): ParsedCsr {
  try {
    return readCsr(derFromPem(pem, CSR_LABELS));
  } catch (cause) {
    if (cause instanceof OrtooError) throw cause;
    throw new OrtooError('BadRequest', 'Malformed certificate signing request', { cause });
  }
}

function readCsr(der: Buffer): ParsedCsr {
  const [info, algorithm, signature, ...extra] = rawChildren(der);
  if (info === undefined || algorithm === undefined || signature === undefined || extra.length > 0) {
    throw new Error('A CSR has three parts');
  }
  const [version, subject, , attributes] = childrenOf(parseDer(info));
  if (!isUniversal(version, forge.asn1.Type.INTEGER) || bytesOf(version).toString('hex') !== '00') {
    throw new Error('Unknown CSR version');
  }
  if (!isContext(attributes, 0)) throw new Error('CSR has no attributes field');

  // The signed bytes are taken as sent, and the key from them byte for byte.
  const spki = rawChildren(info)[2];
  if (spki === undefined) throw new Error('CSR has no public key');
  const publicKey = createPublicKey({ key: spki, format: 'der', type: 'spki' });
  const signatureBits = bytesOf(parseDer(signature));
  if (signatureBits[0] !== 0) throw new Error('Signature has unused bits');
  const algorithmOid = oidOf(childrenOf(parseDer(algorithm))[0]);
  if (!verifyDer(algorithmOid, publicKey, info, signatureBits.subarray(1))) {
    throw new OrtooError('BadRequest', 'Certificate signing request signature does not verify');
  }

  const requested = childrenOf(attributes).find(
    (attribute) => oidOf(childrenOf(attribute)[0]) === OID.extensionRequest,
  );
  const extensions = readExtensions(
    requested === undefined ? undefined : childrenOf(childrenOf(requested)[1])[0],
  );
  return {
    subject: distinguishedNameFromAsn1(subject),
    publicKey,
    dnsNames: extensions.dnsNames,
    ipAddresses: extensions.ipAddresses,
  };
}
