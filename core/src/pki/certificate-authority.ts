import { createPublicKey, type KeyObject } from 'node:crypto';

import { OrtooError } from '../errors';
import {
  bitString,
  contextConstructed,
  encodeDer,
  integer,
  parseDer,
  rawChildren,
  sequence,
  time,
  type Asn1,
} from './der';
import { Certificate, parseCertificate } from './certificate';
import { parseCsr } from './csr';
import { distinguishedNameToAsn1, type DistinguishedName } from './distinguished-name';
import {
  authorityKeyIdentifier,
  basicConstraints,
  extensionsToAsn1,
  extKeyUsage,
  keyIdentifier,
  keyUsage,
  subjectAltName,
  subjectKeyIdentifier,
  type Extension,
} from './extensions';
import { generateKeyPair, keyAlgorithmOf, privateKeyFromPem, type KeyType } from './key-pair';
import { OID } from './oids';
import { randomSerialNumber, serialNumberToBytes } from './serial-number';
import { signatureAlgorithmFor, signDer } from './signature-algorithm';

/**
 * What an end-entity certificate is for.
 *
 * - `sign`: signing messages and the global configuration (JWS). Key usage
 *   digitalSignature and nonRepudiation.
 * - `auth`: TLS of a security server or gateway, as server and as client. Key
 *   usage digitalSignature (and keyEncipherment for RSA keys), extended key
 *   usage serverAuth and clientAuth, and the subjectAltName names.
 */
export type CertificateProfile = 'sign' | 'auth';

/** Parameters of {@link CertificateAuthority.create}. */
export interface CreateCertificateAuthorityParams {
  /** The Örtöö instance identifier (e.g. `MN`), kept as the CA subject's OU. */
  readonly instance: string;
  /** CN of the CA. */
  readonly commonName: string;
  /**
   * O of the CA.
   * @defaultValue none
   */
  readonly organization?: string;
  /**
   * C of the CA, two capital letters.
   * @defaultValue none
   */
  readonly country?: string;
  /** Start of the CA certificate's validity. */
  readonly notBefore: Date;
  /** End of the CA certificate's validity; every certificate it issues ends by then. */
  readonly notAfter: Date;
  /**
   * Type of the CA key.
   * @defaultValue `'ec-p256'`
   */
  readonly keyType?: KeyType;
}

/** Parameters of {@link CertificateAuthority.issue}. */
export interface IssueCertificateParams {
  /** The PEM CSR; its signature is checked and its subject and names are used. */
  readonly csrPem: string;
  readonly profile: CertificateProfile;
  /** Start of validity; not before the CA's own. */
  readonly notBefore: Date;
  /** End of validity; not after the CA's own. */
  readonly notAfter: Date;
  /**
   * Serial number, hex.
   * @defaultValue a random positive 128-bit number
   */
  readonly serialNumber?: string;
}

/** Parameters of {@link CertificateAuthority.issueForPublicKey}. */
export interface IssueForPublicKeyParams {
  readonly subject: DistinguishedName;
  /** The key to certify: EC P-256 or RSA of 2048 bits or more. */
  readonly publicKey: KeyObject;
  readonly profile: CertificateProfile;
  /** Start of validity; not before the CA's own. */
  readonly notBefore: Date;
  /** End of validity; not after the CA's own. */
  readonly notAfter: Date;
  /**
   * Serial number, hex.
   * @defaultValue a random positive 128-bit number
   */
  readonly serialNumber?: string;
  /**
   * DNS names for the subjectAltName (`auth` profile only).
   * @defaultValue `[]`
   */
  readonly dnsNames?: readonly string[];
  /**
   * IP addresses for the subjectAltName (`auth` profile only).
   * @defaultValue `[]`
   */
  readonly ipAddresses?: readonly string[];
}

/** What the shared certificate builder needs. */
interface CertificateTemplate {
  readonly issuerName: Asn1;
  readonly subjectName: Asn1;
  readonly publicKey: KeyObject;
  readonly signingKey: KeyObject;
  readonly serialNumber: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly extensions: readonly Extension[];
}

/**
 * The instance's certificate authority: one self-signed CA certificate that
 * issues every member's signing and TLS certificates directly (no
 * intermediates). Keys are made and used through node:crypto; structures are
 * built with node-forge's ASN.1 toolkit.
 */
export class CertificateAuthority {
  /** The CA's own certificate, the trust anchor others are given. */
  readonly certificate: Certificate;
  /** The CA's private key; keep it to the gateway. */
  readonly privateKey: KeyObject;

  readonly #name: Asn1;
  readonly #keyId: Buffer;

  private constructor(certificate: Certificate, privateKey: KeyObject) {
    const matches = createPublicKey(privateKey)
      .export({ format: 'der', type: 'spki' })
      .equals(certificate.publicKey.export({ format: 'der', type: 'spki' }));
    if (!matches) throw new OrtooError('InvalidCertificate', 'CA private key does not match its certificate');
    if (!certificate.isCa || !certificate.keyUsage.includes('keyCertSign')) {
      throw new OrtooError('InvalidCertificate', 'Not a CA certificate', {
        detail: { subject: certificate.subject },
      });
    }
    if (certificate.subject.organizationalUnit === undefined) {
      throw new OrtooError('InvalidCertificate', 'CA certificate names no instance (OU)');
    }
    this.certificate = certificate;
    this.privateKey = privateKey;
    // Issued certificates name their issuer with the CA's subject byte for byte.
    this.#name = parseDer(subjectNameOf(certificate.der));
    this.#keyId =
      certificate.subjectKeyIdentifier === undefined
        ? keyIdentifier(certificate.publicKey)
        : Buffer.from(certificate.subjectKeyIdentifier, 'hex');
  }

  /** The Örtöö instance identifier this CA serves (its subject's OU). */
  get instance(): string {
    return this.certificate.subject.organizationalUnit ?? '';
  }

  /**
   * Makes a new CA with a fresh key and a self-signed certificate
   * (basicConstraints CA, path length 0, critical; keyUsage keyCertSign and
   * cRLSign, critical; subjectKeyIdentifier).
   *
   * @throws OrtooError `BadRequest` for an invalid name or validity.
   */
  static create(params: CreateCertificateAuthorityParams): CertificateAuthority {
    const { privateKey, publicKey } = generateKeyPair(params.keyType);
    const name = distinguishedNameToAsn1({
      commonName: params.commonName,
      organization: params.organization,
      organizationalUnit: params.instance,
      country: params.country,
    });
    const [notBefore, notAfter] = checkValidity(params.notBefore, params.notAfter);
    const der = buildCertificate({
      issuerName: name,
      subjectName: name,
      publicKey,
      signingKey: privateKey,
      serialNumber: randomSerialNumber(),
      notBefore,
      notAfter,
      extensions: [
        basicConstraints(true),
        keyUsage(['keyCertSign', 'cRLSign']),
        subjectKeyIdentifier(keyIdentifier(publicKey)),
      ],
    });
    return new CertificateAuthority(new Certificate(der), privateKey);
  }

  /**
   * Loads a CA from its PEM certificate and PEM private key.
   *
   * @throws OrtooError `InvalidCertificate` when the certificate is not a CA
   *   certificate or the key is not its key; `BadRequest` for an unreadable
   *   key; `UnsupportedAlgorithm` for a key of the wrong kind.
   */
  static fromPem(certificatePem: string, privateKeyPem: string): CertificateAuthority {
    return new CertificateAuthority(parseCertificate(certificatePem), privateKeyFromPem(privateKeyPem));
  }

  /**
   * Issues a certificate for a CSR: the subject, key and (for `auth`) the
   * subjectAltName names are taken from the CSR, everything else from the
   * profile.
   *
   * @throws OrtooError `BadRequest` for a malformed or forged CSR or an
   *   invalid validity or serial; `UnsupportedAlgorithm` for a key of the
   *   wrong kind.
   */
  issue(params: IssueCertificateParams): Certificate {
    const { subject, publicKey, dnsNames, ipAddresses } = parseCsr(params.csrPem);
    const { profile, notBefore, notAfter, serialNumber } = params;
    return this.issueForPublicKey({
      subject,
      publicKey,
      dnsNames,
      ipAddresses,
      profile,
      notBefore,
      notAfter,
      serialNumber,
    });
  }

  /**
   * Issues a certificate for a public key the caller vouches for, without a
   * CSR: for the gateway's own TLS and configuration-signing keys.
   *
   * @throws OrtooError `BadRequest` for an invalid subject, name, validity or
   *   serial; `UnsupportedAlgorithm` for a key of the wrong kind.
   */
  issueForPublicKey(params: IssueForPublicKeyParams): Certificate {
    const { publicKey, profile, dnsNames = [], ipAddresses = [] } = params;
    const [notBefore, notAfter] = checkValidity(params.notBefore, params.notAfter);
    if (notBefore < this.certificate.notBefore || notAfter > this.certificate.notAfter) {
      throw new OrtooError('BadRequest', "Validity must lie within the CA certificate's", {
        detail: { caNotBefore: this.certificate.notBefore, caNotAfter: this.certificate.notAfter },
      });
    }
    const isRsa = keyAlgorithmOf(publicKey) === 'rsa';
    const profileExtensions =
      profile === 'sign'
        ? [keyUsage(['digitalSignature', 'nonRepudiation'])]
        : [
            keyUsage(isRsa ? ['digitalSignature', 'keyEncipherment'] : ['digitalSignature']),
            extKeyUsage([OID.serverAuth, OID.clientAuth]),
            // An empty subjectAltName is invalid, so there is none without names.
            ...(dnsNames.length + ipAddresses.length > 0 ? [subjectAltName(dnsNames, ipAddresses)] : []),
          ];
    const der = buildCertificate({
      issuerName: this.#name,
      subjectName: distinguishedNameToAsn1(params.subject),
      publicKey,
      signingKey: this.privateKey,
      serialNumber: params.serialNumber ?? randomSerialNumber(),
      notBefore,
      notAfter,
      extensions: [
        basicConstraints(false),
        ...profileExtensions,
        subjectKeyIdentifier(keyIdentifier(publicKey)),
        authorityKeyIdentifier(this.#keyId),
      ],
    });
    return new Certificate(der);
  }
}

// Builds and signs an X.509 v3 certificate; node-forge cannot sign with EC keys.
function buildCertificate(template: CertificateTemplate): Buffer {
  const algorithm = signatureAlgorithmFor(template.signingKey);
  const tbs = sequence(
    contextConstructed(0, [integer(Buffer.from([2]))]),
    integer(serialNumberToBytes(template.serialNumber)),
    algorithm,
    template.issuerName,
    sequence(time(template.notBefore), time(template.notAfter)),
    template.subjectName,
    parseDer(template.publicKey.export({ format: 'der', type: 'spki' })),
    contextConstructed(3, [extensionsToAsn1(template.extensions)]),
  );
  const signature = signDer(template.signingKey, encodeDer(tbs));
  return encodeDer(sequence(tbs, algorithm, bitString(signature)));
}

// Dates are truncated to the second X.509 keeps, so comparisons see what is encoded.
function checkValidity(notBefore: Date, notAfter: Date): [Date, Date] {
  const from = Math.floor(notBefore.getTime() / 1000) * 1000;
  const to = Math.floor(notAfter.getTime() / 1000) * 1000;
  if (!Number.isFinite(from) || !Number.isFinite(to) || from >= to) {
    throw new OrtooError('BadRequest', 'Validity must be two valid dates, the first before the second');
  }
  return [new Date(from), new Date(to)];
}

// The DER of the subject Name inside a certificate's TBSCertificate.
function subjectNameOf(der: Buffer): Buffer {
  const [tbs] = rawChildren(der);
  const fields = rawChildren(tbs ?? Buffer.alloc(0));
  const offset = fields[0]?.[0] === 0xa0 ? 1 : 0;
  const subject = fields[offset + 4];
  if (subject === undefined) throw new OrtooError('InvalidCertificate', 'Certificate has no subject');
  return subject;
}
