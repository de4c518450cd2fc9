import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  loadOrCreateNoteKey,
  type NoteSigner,
  CertificateAuthority,
  OrtooError,
  createJwsSigner,
  generateKeyPair,
  parseCertificate,
  privateKeyFromPem,
  privateKeyToPem,
  type Certificate,
  type GlobalConfAuthCertificate,
  type JwsSigner,
  type KeyPair,
} from '../../../core/src';

/** The gateway's trust material: the instance CA and the gateway's own keys. */
export interface GatewayTrust {
  /** Issues members' signing and TLS certificates. */
  readonly ca: CertificateAuthority;
  /** Signs the global configuration; its certificate is the anchor security servers are given. */
  readonly confSigner: JwsSigner;
  readonly confCertificate: Certificate;
  /** The gateway's TLS identity, for its HTTPS and mutual-TLS listeners. */
  readonly tls: { readonly certificate: Certificate; readonly keyPem: string };
  /** Signs the audit log's checkpoints and evidence bundles. */
  readonly auditSigner: JwsSigner;
  readonly auditCertificate: Certificate;
  /** Key of the HMAC under which data subjects' identifiers are stored: never leaves the gateway. */
  readonly auditSubjectSecret: Uint8Array;
  /**
   * Signs the audit log's tree heads as C2SP checkpoints (Ed25519, the key type
   * signed notes and their tools use), named after the log's origin.
   */
  readonly auditLogSigner: NoteSigner;
}

/** The origin line of the instance's audit-log checkpoints. */
export function auditLogOrigin(instance: string): string {
  return `ortoo/${instance}/audit`;
}

/** The gateway's TLS certificate as the global configuration lists it, for provider proxies to let in. */
export function gatewayCertificatesOf(trust: GatewayTrust): GlobalConfAuthCertificate[] {
  const { certificate } = trust.tls;
  return [{ thumbprint: certificate.thumbprint, serial: certificate.serialNumber, pem: certificate.pem }];
}

/** File names inside the certificates folder. */
export const TRUST_FILES = {
  caCertificate: 'ca.pem',
  caKey: 'ca.key',
  confCertificate: 'global-conf-signing.pem',
  confKey: 'global-conf-signing.key',
  tlsCertificate: 'gateway-tls.pem',
  tlsKey: 'gateway-tls.key',
  auditCertificate: 'audit-signing.pem',
  auditKey: 'audit-signing.key',
  auditSubjectSecret: 'audit-subject.secret',
  auditLogKey: 'audit-log.ed25519.key',
} as const;

/** Length of the data-subject HMAC key: as long as SHA-256's output. */
const SUBJECT_SECRET_BYTES = 32;

/** Options of {@link loadOrCreateTrust}. */
export interface TrustOptions {
  /** Folder of the trust material (`certs/` in the demo). */
  dir: string;
  /** Instance code, e.g. `MN`. */
  instance: string;
  /** Host names and addresses the gateway's TLS certificate names. @defaultValue localhost, 127.0.0.1, ::1 */
  tlsNames?: { dnsNames: string[]; ipAddresses: string[] };
  /** @defaultValue the current time */
  now?: Date;
}

const YEAR_MS = 365 * 24 * 3600 * 1000;

function writePrivate(file: string, pem: string): void {
  writeFileSync(file, pem, { mode: 0o600 });
  chmodSync(file, 0o600); // writeFileSync keeps the mode of an existing file
}

/**
 * Loads the gateway's trust material from `dir`, creating what is missing:
 * on first start the instance CA, then the configuration-signing, TLS and
 * audit-signing certificates it issues, and the data-subject HMAC key. Private keys are written with mode 0600 and never
 * leave the folder. A second start reuses everything.
 */
export function loadOrCreateTrust(options: TrustOptions): GatewayTrust {
  const { dir, instance } = options;
  const now = options.now ?? new Date();
  const file = (name: string) => path.join(dir, name);
  mkdirSync(dir, { recursive: true });

  let ca: CertificateAuthority;
  if (existsSync(file(TRUST_FILES.caCertificate))) {
    ca = CertificateAuthority.fromPem(
      readFileSync(file(TRUST_FILES.caCertificate), 'utf8'),
      readFileSync(file(TRUST_FILES.caKey), 'utf8'),
    );
  } else {
    ca = CertificateAuthority.create({
      instance,
      commonName: `Örtöö ${instance} instance CA`,
      organization: 'Örtöö',
      notBefore: new Date(now.getTime() - 60_000),
      notAfter: new Date(now.getTime() + 10 * YEAR_MS),
    });
    writePrivate(file(TRUST_FILES.caKey), privateKeyToPem(ca.privateKey));
    writeFileSync(file(TRUST_FILES.caCertificate), ca.certificate.pem);
  }

  /** A key and a certificate the CA issued for it, loaded or made now. */
  const identity = (certName: string, keyName: string, issue: (keyPair: KeyPair) => Certificate) => {
    if (existsSync(file(certName)) && existsSync(file(keyName))) {
      return {
        certificate: parseCertificate(readFileSync(file(certName), 'utf8')),
        keyPem: readFileSync(file(keyName), 'utf8'),
      };
    }
    const keyPair = generateKeyPair();
    const certificate = issue(keyPair);
    const keyPem = privateKeyToPem(keyPair.privateKey);
    writePrivate(file(keyName), keyPem);
    writeFileSync(file(certName), certificate.pem);
    return { certificate, keyPem };
  };
  const validity = {
    notBefore: new Date(now.getTime() - 60_000),
    notAfter: new Date(Math.min(now.getTime() + 2 * YEAR_MS, ca.certificate.notAfter.getTime())),
  };

  const conf = identity(TRUST_FILES.confCertificate, TRUST_FILES.confKey, (keyPair) =>
    ca.issueForPublicKey({
      subject: { commonName: `${instance} global configuration`, organization: 'Örtöö' },
      publicKey: keyPair.publicKey,
      profile: 'sign',
      ...validity,
    }),
  );
  const names = options.tlsNames ?? { dnsNames: ['localhost'], ipAddresses: ['127.0.0.1', '::1'] };
  const tls = identity(TRUST_FILES.tlsCertificate, TRUST_FILES.tlsKey, (keyPair) =>
    ca.issueForPublicKey({
      subject: { commonName: `${instance} gateway`, organization: 'Örtöö' },
      publicKey: keyPair.publicKey,
      profile: 'auth',
      ...names,
      ...validity,
    }),
  );

  const audit = identity(TRUST_FILES.auditCertificate, TRUST_FILES.auditKey, (keyPair) =>
    ca.issueForPublicKey({
      subject: { commonName: `${instance} audit log`, organization: 'Örtöö' },
      publicKey: keyPair.publicKey,
      profile: 'sign',
      ...validity,
    }),
  );

  return {
    ca,
    confCertificate: conf.certificate,
    confSigner: createJwsSigner({
      privateKey: privateKeyFromPem(conf.keyPem),
      thumbprint: conf.certificate.thumbprint,
    }),
    tls,
    auditCertificate: audit.certificate,
    auditSigner: createJwsSigner({
      privateKey: privateKeyFromPem(audit.keyPem),
      thumbprint: audit.certificate.thumbprint,
    }),
    auditSubjectSecret: loadOrCreateSecret(file(TRUST_FILES.auditSubjectSecret)),
    auditLogSigner: loadOrCreateNoteKey(file(TRUST_FILES.auditLogKey), auditLogOrigin(instance)),
  };
}

/**
 * The data-subject HMAC key in `file`, made on first start. Losing it makes
 * stored subject hashes unsearchable, so an existing file of the wrong length
 * is an error rather than replaced.
 */
function loadOrCreateSecret(file: string): Uint8Array {
  if (existsSync(file)) {
    const secret = readFileSync(file);
    if (secret.length !== SUBJECT_SECRET_BYTES) {
      throw new OrtooError(
        'InvalidConfiguration',
        `${file} must hold ${SUBJECT_SECRET_BYTES} bytes, found ${secret.length}`,
      );
    }
    return new Uint8Array(secret);
  }
  const secret = randomBytes(SUBJECT_SECRET_BYTES);
  writeFileSync(file, secret, { mode: 0o600 });
  chmodSync(file, 0o600);
  return new Uint8Array(secret);
}
