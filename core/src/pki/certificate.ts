import { X509Certificate, type KeyObject } from 'node:crypto';

import { OrtooError } from '../errors';
import { bytesOf, childrenOf, dateOf, isContext, parseDer } from './der';
import { distinguishedNameFromAsn1, type DistinguishedName } from './distinguished-name';
import { readExtensions, type KeyUsage } from './extensions';
import { derFromPem, toPem } from './pem';
import { normalizeSerialNumber } from './serial-number';
import { certificateThumbprint } from './thumbprint';

/**
 * An X.509 certificate, parsed once into the fields Örtöö reads. Immutable:
 * every field is computed when it is made (don't write into `der`).
 *
 * Signature checks go through node:crypto's `X509Certificate`, which also
 * handles the EC keys node-forge cannot.
 */
export class Certificate {
  /** The DER encoding, as issued. */
  readonly der: Buffer;
  /** The PEM encoding (LF line ends). */
  readonly pem: string;
  /** Serial number in Örtöö's form: lowercase hex, no leading zeros. */
  readonly serialNumber: string;
  /** Who the certificate names. */
  readonly subject: DistinguishedName;
  /** Who issued it. */
  readonly issuer: DistinguishedName;
  /** SHA-256 thumbprint (base64url), the name Örtöö knows a signer by. */
  readonly thumbprint: string;
  /** The certified public key. */
  readonly publicKey: KeyObject;
  /** True for a CA certificate (basicConstraints cA). */
  readonly isCa: boolean;
  /** Key usage bits that are set; empty when the extension is absent. */
  readonly keyUsage: readonly KeyUsage[];
  /** Extended key usages: `serverAuth`, `clientAuth`, ... or the dotted OID of others. */
  readonly extKeyUsage: readonly string[];
  /** DNS names of the subjectAltName. */
  readonly dnsNames: readonly string[];
  /** IP addresses of the subjectAltName. */
  readonly ipAddresses: readonly string[];
  /** Subject key identifier, hex; undefined when absent. */
  readonly subjectKeyIdentifier: string | undefined;
  /** Key identifier of the issuer's key (authorityKeyIdentifier), hex; undefined when absent. */
  readonly authorityKeyIdentifier: string | undefined;

  readonly #x509: X509Certificate;
  readonly #issuedBy = new WeakMap<Certificate, boolean>();
  readonly #notBefore: number;
  readonly #notAfter: number;

  /**
   * Parses a DER certificate; {@link parseCertificate} also takes PEM.
   *
   * @throws OrtooError `InvalidCertificate` when it is not a well-formed
   *   certificate Örtöö can read (it must have a common name).
   */
  constructor(der: Uint8Array) {
    try {
      this.der = Buffer.from(der);
      this.#x509 = new X509Certificate(this.der);
      const tbs = childrenOf(childrenOf(parseDer(this.der))[0]);
      // The version field [0] is optional (absent means v1), so fields shift.
      const at = isContext(tbs[0], 0) ? 1 : 0;
      const [validFrom, validTo] = childrenOf(tbs[at + 3]);
      const extensionsField = tbs.find((field) => isContext(field, 3));
      const extensions = readExtensions(
        extensionsField === undefined ? undefined : childrenOf(extensionsField)[0],
      );
      this.serialNumber = normalizeSerialNumber(bytesOf(tbs[at]).toString('hex'));
      this.issuer = Object.freeze(distinguishedNameFromAsn1(tbs[at + 2]));
      this.subject = Object.freeze(distinguishedNameFromAsn1(tbs[at + 4]));
      this.#notBefore = dateOf(validFrom).getTime();
      this.#notAfter = dateOf(validTo).getTime();
      this.isCa = extensions.isCa;
      this.keyUsage = Object.freeze(extensions.keyUsage);
      this.extKeyUsage = Object.freeze(extensions.extKeyUsage);
      this.dnsNames = Object.freeze(extensions.dnsNames);
      this.ipAddresses = Object.freeze(extensions.ipAddresses);
      this.subjectKeyIdentifier = extensions.subjectKeyIdentifier;
      this.authorityKeyIdentifier = extensions.authorityKeyIdentifier;
      this.publicKey = this.#x509.publicKey;
    } catch (cause) {
      throw new OrtooError('InvalidCertificate', 'Not a readable X.509 certificate', { cause });
    }
    this.pem = toPem('CERTIFICATE', this.der);
    this.thumbprint = certificateThumbprint(this.der);
  }

  /** Start of the validity period (second precision, as X.509 keeps it). */
  get notBefore(): Date {
    return new Date(this.#notBefore);
  }

  /** End of the validity period, inclusive. */
  get notAfter(): Date {
    return new Date(this.#notAfter);
  }

  /** True when `at` lies within the validity period. */
  isValidAt(at: Date): boolean {
    const time = at.getTime();
    return time >= this.#notBefore && time <= this.#notAfter;
  }

  /**
   * True when `issuer` issued this certificate: its subject is this one's
   * issuer, its key usage allows certificate signing, and its key verifies
   * this certificate's signature. Validity and revocation are not checked here.
   */
  isIssuedBy(issuer: Certificate): boolean {
    // Both certificates are immutable, so the answer is kept: the signature check
    // costs more than the rest of a message's certificate checks together.
    let issued = this.#issuedBy.get(issuer);
    if (issued === undefined) {
      issued = this.#x509.checkIssued(issuer.#x509) && this.#x509.verify(issuer.publicKey);
      this.#issuedBy.set(issuer, issued);
    }
    return issued;
  }
}

/**
 * Parses a certificate from PEM (exactly one `CERTIFICATE` block) or DER.
 *
 * @throws OrtooError `InvalidCertificate` on anything else.
 */
export function parseCertificate(input: string | Uint8Array): Certificate {
  if (typeof input !== 'string') return new Certificate(input);
  let der: Buffer;
  try {
    der = derFromPem(input, ['CERTIFICATE']);
  } catch (cause) {
    throw new OrtooError('InvalidCertificate', 'Not a PEM certificate', { cause });
  }
  return new Certificate(der);
}
