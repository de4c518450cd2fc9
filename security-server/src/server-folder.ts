import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import { createPublicKey, type KeyObject } from 'node:crypto';
import {
  OrtooError,
  createCsr,
  createJwsSigner,
  formatMemberId,
  generateKeyPair,
  parseCertificate,
  parseSecurityServerId,
  privateKeyFromPem,
  privateKeyToPem,
  verifyCertificate,
  type Certificate,
  type SecurityServerId,
} from '../../core/src';
import {
  CONFIG_FILE,
  SECURITY_SERVER_DEFAULTS,
  loadSecurityServerConfig,
  type SecurityServerConfig,
} from './config';
import type { ServerIdentity } from './deps';

/**
 * A security server's folder, as `ortoo ss init` makes it and the rest of
 * `ortoo ss` fills it: everything the server is, on disk, in one place that
 * an operator can back up (and must keep private: `keys/` holds the keys).
 */
export const SERVER_FOLDER = {
  /** The configuration (see `config.ts`). */
  config: CONFIG_FILE,
  /** The signing key (PKCS#8 PEM, mode 0600): signs messages as the member. */
  signKey: 'keys/sign.key',
  /** The TLS key (PKCS#8 PEM, mode 0600): mutual TLS with the gateway. */
  authKey: 'keys/auth.key',
  /**
   * The Ed25519 witness key (PKCS#8 PEM, mode 0600, made on first start):
   * cosigns the gateway's audit-log checkpoints; its vkey is written beside it.
   */
  witnessKey: 'keys/witness.key',
  /** The CSRs sent with the registration. */
  signCsr: 'keys/sign.csr',
  authCsr: 'keys/auth.csr',
  /** The certificates the instance CA issued on approval of the registration. */
  signCertificate: 'certs/sign.pem',
  authCertificate: 'certs/auth.pem',
  /** The instance CA's certificate, as the gateway gave it with them. */
  caCertificate: 'certs/ca.pem',
  /** The gateway's global-configuration signing certificate, given to the operator out of band. */
  anchor: 'trust/global-conf-anchor.pem',
  /** The last good global configuration (written by the configuration client). */
  globalConfCache: 'global-conf.cache.json',
  /** A submitted registration not yet decided: `{id, submittedAt}`. */
  registration: 'registration.json',
  /** The message log's PGlite database, unless the configuration names PostgreSQL. */
  dataDir: SECURITY_SERVER_DEFAULTS.dataDir,
} as const;

/** Absolute paths of the files of one server folder, keyed as {@link SERVER_FOLDER}. */
export type ServerFolderPaths = { readonly dir: string } & {
  readonly [K in keyof typeof SERVER_FOLDER]: string;
};

/** The absolute paths of the files in the server folder `dir`. */
export function serverFolderPaths(dir: string): ServerFolderPaths {
  const root = path.resolve(dir);
  const entries = Object.entries(SERVER_FOLDER).map(([name, file]) => [name, path.join(root, file)]);
  return Object.freeze({ dir: root, ...Object.fromEntries(entries) }) as ServerFolderPaths;
}

/** Parameters of {@link initServerFolder}. */
export interface InitServerFolderParams {
  /** `INSTANCE/CLASS/CODE/SERVER`, as the gateway's administrator issued the registration token for. */
  serverId: string;
  /** Instance code. @defaultValue the instance of `serverId` (which it must equal) */
  instance?: string;
  /** The gateway's admin listener, e.g. `http://127.0.0.1:4400`. */
  gatewayUrl: string;
  /** The gateway's exchange listener, e.g. `https://127.0.0.1:4443`. */
  exchangeUrl: string;
  /** PEM of the gateway's global-configuration signing certificate (its `certs/global-conf-signing.pem`). */
  anchorPem: string;
  /** @defaultValue 8080 */
  clientPort?: number;
  /** @defaultValue 5500 */
  providerPort?: number;
  /** Base URL the gateway reaches the provider proxy at. @defaultValue `https://127.0.0.1:<providerPort>` */
  providerAddress?: string;
  /**
   * Start afresh in a folder that already is a server folder: new keys, so
   * the server must register again. The message log (`db/`) is kept.
   * @defaultValue false
   */
  force?: boolean;
}

/** What {@link initServerFolder} made. */
export interface InitializedServerFolder {
  readonly paths: ServerFolderPaths;
  readonly serverId: string;
  /** The provider proxy's address, as it will be registered. */
  readonly providerAddress: string;
  /** Names the TLS (auth) CSR asks the CA to certify. */
  readonly requestedNames: { readonly dnsNames: readonly string[]; readonly ipAddresses: readonly string[] };
  /** `x5t#S256` of the trust anchor, for the operator to compare with the gateway's. */
  readonly anchorThumbprint: string;
}

/** Files that exist only in a folder that has been initialised (or half-initialised). */
const INIT_MARKERS = ['config', 'signKey', 'authKey', 'signCertificate', 'authCertificate'] as const;

/**
 * Makes a security server's folder: an EC P-256 key pair each for signing
 * and for TLS (private keys mode 0600 in a 0700 `keys/`), their CSRs (the
 * TLS one naming the provider address's host), a copy of the trust anchor
 * and a starter `config.json` (no services, no local systems yet), written
 * last, so that its presence means the folder is complete.
 *
 * @throws OrtooError `Conflict` when `dir` already is a server folder and
 *   `force` is not set; `InvalidConfiguration` when a parameter would make
 *   an invalid configuration or the anchor is not the configuration-signing
 *   certificate.
 */
export function initServerFolder(dir: string, params: InitServerFolderParams): InitializedServerFolder {
  const paths = serverFolderPaths(dir);
  const existing = INIT_MARKERS.find((name) => existsSync(paths[name]));
  if (existing !== undefined && params.force !== true) {
    throw new OrtooError(
      'Conflict',
      `${paths.dir} is already a security server folder (${SERVER_FOLDER[existing]} exists): ` +
        'use another folder, or force it to make new keys (the server must then register again)',
      { detail: { dir: paths.dir, file: SERVER_FOLDER[existing] } },
    );
  }

  const server = parseServerId(params.serverId);
  const instance = params.instance ?? server.instance;
  const anchor = readAnchor(params.anchorPem);
  const providerPort = params.providerPort ?? SECURITY_SERVER_DEFAULTS.providerPort;
  const providerAddress = params.providerAddress ?? `https://127.0.0.1:${providerPort}`;
  const starter = {
    instance,
    serverId: params.serverId,
    gateway: { url: params.gatewayUrl, exchangeUrl: params.exchangeUrl },
    clientProxy: {
      host: SECURITY_SERVER_DEFAULTS.clientHost,
      port: params.clientPort ?? SECURITY_SERVER_DEFAULTS.clientPort,
    },
    providerProxy: {
      host: SECURITY_SERVER_DEFAULTS.providerHost,
      port: providerPort,
      address: providerAddress,
    },
    dataDir: SECURITY_SERVER_DEFAULTS.dataDir,
    services: [],
    localSystems: [],
  };

  // The configuration is checked before anything is written but its own draft.
  mkdirSync(paths.dir, { recursive: true });
  const draft = `${paths.config}.${randomBytes(4).toString('hex')}.new`;
  writeFileSync(draft, `${JSON.stringify(starter, null, 2)}\n`);
  try {
    loadSecurityServerConfig({ dir: paths.dir, env: {}, file: draft });
  } catch (error) {
    unlinkSync(draft);
    throw error;
  }

  try {
    if (existing !== undefined) {
      // New keys make the old certificates, registration and anchor meaningless; the message log stays.
      for (const name of ['config', 'globalConfCache', 'registration'] as const)
        rmSync(paths[name], { force: true });
      for (const sub of ['keys', 'certs', 'trust'])
        rmSync(path.join(paths.dir, sub), { recursive: true, force: true });
    }
    mkdirSync(path.dirname(paths.signKey), { recursive: true, mode: 0o700 });
    chmodSync(path.dirname(paths.signKey), 0o700);
    mkdirSync(path.dirname(paths.anchor), { recursive: true });
    mkdirSync(path.dirname(paths.signCertificate), { recursive: true });

    const signKeys = generateKeyPair('ec-p256');
    const authKeys = generateKeyPair('ec-p256');
    const requestedNames = namesOf(providerAddress);
    writePrivateFile(paths.signKey, privateKeyToPem(signKeys.privateKey));
    writePrivateFile(paths.authKey, privateKeyToPem(authKeys.privateKey));
    // The CA takes only the keys (and the TLS names) from the CSRs; the subjects say who asks, for people.
    writeFileSync(
      paths.signCsr,
      createCsr({
        subject: {
          commonName: server.memberCode,
          organizationalUnit: fit(`${server.instance}/${server.memberClass}`),
        },
        keyPair: signKeys,
      }),
    );
    writeFileSync(
      paths.authCsr,
      createCsr({
        subject: { commonName: server.serverCode, organizationalUnit: fit(formatMemberId(server)) },
        keyPair: authKeys,
        ...requestedNames,
      }),
    );
    writeFileSync(paths.anchor, anchor.pem);
    renameSync(draft, paths.config);
    return {
      paths,
      serverId: params.serverId,
      providerAddress,
      requestedNames,
      anchorThumbprint: anchor.thumbprint,
    };
  } finally {
    rmSync(draft, { force: true });
  }
}

/** Options of {@link loadIdentity}. */
export interface LoadIdentityOptions {
  /** The instant certificates must be valid at. @defaultValue now */
  now?: Date;
}

/**
 * Loads who the server is from its folder, refusing to go on with anything
 * that would fail later, less clearly: both keys and the three certificates
 * present and readable; each certificate issued by `certs/ca.pem` for its
 * use, valid now, certifying the key beside it, and naming this server
 * (`config.serverId`) as a registration names it.
 *
 * @throws OrtooError `InvalidConfiguration` naming the file at fault and the fix.
 */
export function loadIdentity(
  dir: string,
  config: SecurityServerConfig,
  options: LoadIdentityOptions = {},
): ServerIdentity {
  const paths = serverFolderPaths(dir);
  const now = options.now ?? new Date();
  const server = parseServerId(config.serverId);

  const signKeyPem = readRequired(paths, 'signKey');
  const authKeyPem = readRequired(paths, 'authKey');
  const signKey = readKey(paths, 'signKey', signKeyPem);
  const authKey = readKey(paths, 'authKey', authKeyPem);
  const sign = readCertificate(paths, 'signCertificate');
  const auth = readCertificate(paths, 'authCertificate');
  const ca = readCertificate(paths, 'caCertificate');
  if (!ca.isCa) {
    throw folderError(
      paths,
      'caCertificate',
      'is not a CA certificate: register again to fetch the instance CA',
    );
  }
  for (const [kind, certificate, key] of [
    ['sign', sign, signKey],
    ['auth', auth, authKey],
  ] as const) {
    const wrong = serverCertificateProblem(kind, certificate, key, { ca, server, now });
    if (wrong !== undefined) {
      throw folderError(
        paths,
        kind === 'sign' ? 'signCertificate' : 'authCertificate',
        `${wrong}: register again (\`ortoo ss register ${dir} --token …\` with a new token)`,
      );
    }
  }

  return {
    serverId: config.serverId,
    memberId: formatMemberId(server),
    signer: createJwsSigner({ privateKey: signKey, thumbprint: sign.thumbprint }),
    signCertificate: sign,
    tls: { certificatePem: auth.pem, keyPem: authKeyPem, thumbprint: auth.thumbprint },
    caPem: [ca.pem],
  };
}

/** What a certificate must be for what: a `sign` or an `auth` certificate of a security server. */
export type ServerCertificateKind = 'sign' | 'auth';

/**
 * Why `certificate` cannot be this server's `kind` certificate for `key`,
 * or undefined when it can: issued by `ca` for that use and valid at `now`,
 * certifying `key`, with the subject a registration gives (sign: CN the
 * member code, OU `INSTANCE/CLASS`; auth: CN the server code, OU the member id).
 */
export function serverCertificateProblem(
  kind: ServerCertificateKind,
  certificate: Certificate,
  key: KeyObject,
  context: { ca: Certificate; server: SecurityServerId; now: Date },
): string | undefined {
  const { ca, server, now } = context;
  if (!createPublicKey(key).equals(certificate.publicKey)) {
    return `certifies another key than ${kind === 'sign' ? SERVER_FOLDER.signKey : SERVER_FOLDER.authKey}`;
  }
  try {
    verifyCertificate(certificate, { trustAnchors: [ca], at: now, usage: kind });
  } catch (error) {
    return `does not pass the check against ${SERVER_FOLDER.caCertificate}: ${error instanceof Error ? error.message : String(error)}`;
  }
  const expected =
    kind === 'sign'
      ? { commonName: server.memberCode, organizationalUnit: fit(`${server.instance}/${server.memberClass}`) }
      : { commonName: server.serverCode, organizationalUnit: fit(formatMemberId(server)) };
  const { commonName, organizationalUnit } = certificate.subject;
  if (commonName !== expected.commonName || organizationalUnit !== expected.organizationalUnit) {
    const what = kind === 'sign' ? `member ${formatMemberId(server)}` : `server ${formatServerId(server)}`;
    return `names CN=${commonName}, OU=${organizationalUnit ?? ''}, not ${what} (serverId)`;
  }
  return undefined;
}

/** A submitted registration the gateway has not decided yet, kept in `registration.json`. */
export interface PendingRegistration {
  /** The gateway's id of the registration. */
  readonly id: string;
  /** ISO time it was submitted. */
  readonly submittedAt: string;
}

/** The pending registration of the folder, if any. @throws OrtooError `InvalidConfiguration` for an unreadable file */
export function readPendingRegistration(paths: ServerFolderPaths): PendingRegistration | undefined {
  if (!existsSync(paths.registration)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(paths.registration, 'utf8'));
  } catch (cause) {
    throw folderError(
      paths,
      'registration',
      'is not valid JSON: delete it and register with a new token',
      cause,
    );
  }
  const { id, submittedAt } = (value ?? {}) as Record<string, unknown>;
  if (typeof id !== 'string' || typeof submittedAt !== 'string') {
    throw folderError(
      paths,
      'registration',
      'lacks id or submittedAt: delete it and register with a new token',
    );
  }
  return { id, submittedAt };
}

/** Records a submitted registration, so that waiting for it can resume. */
export function writePendingRegistration(paths: ServerFolderPaths, registration: PendingRegistration): void {
  writeFileAtomic(paths.registration, `${JSON.stringify(registration, null, 2)}\n`);
}

/** Forgets the pending registration (decided, or unknown to the gateway). */
export function clearPendingRegistration(paths: ServerFolderPaths): void {
  rmSync(paths.registration, { force: true });
}

/** Writes `text` to a temporary file beside `file`, then renames it: readers see the old or the new, never half. */
export function writeFileAtomic(file: string, text: string, mode?: number): void {
  const temporary = `${file}.${randomBytes(4).toString('hex')}.new`;
  try {
    writeFileSync(temporary, text, mode === undefined ? undefined : { mode });
    if (mode !== undefined) chmodSync(temporary, mode);
    renameSync(temporary, file);
  } finally {
    rmSync(temporary, { force: true });
  }
}

/** Reads the folder's private key file `name` (`signKey` or `authKey`). */
export function readServerKey(paths: ServerFolderPaths, name: 'signKey' | 'authKey'): KeyObject {
  return readKey(paths, name, readRequired(paths, name));
}

function writePrivateFile(file: string, text: string): void {
  writeFileSync(file, text, { mode: 0o600 });
  chmodSync(file, 0o600); // writeFileSync keeps the mode of a file that exists
}

/** X.509 name attributes hold 64 characters; the gateway shortens longer ones so. */
function fit(text: string): string {
  return text.length <= 64 ? text : `${text.slice(0, 63)}…`;
}

function formatServerId(server: SecurityServerId): string {
  return `${formatMemberId(server)}/${server.serverCode}`;
}

function parseServerId(serverId: string): SecurityServerId {
  try {
    return parseSecurityServerId(serverId);
  } catch (cause) {
    throw new OrtooError(
      'InvalidConfiguration',
      `serverId must be a security server id INSTANCE/CLASS/CODE/SERVER: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
  }
}

function readAnchor(pem: string): Certificate {
  let anchor: Certificate;
  try {
    anchor = parseCertificate(pem);
  } catch (cause) {
    throw new OrtooError(
      'InvalidConfiguration',
      "The trust anchor is not a PEM certificate: give the gateway's certs/global-conf-signing.pem",
      { cause },
    );
  }
  // The instance CA is the easy mistake: it verifies no global configuration, so every fetch would fail.
  if (anchor.isCa) {
    throw new OrtooError(
      'InvalidConfiguration',
      "The trust anchor is a CA certificate: give the gateway's global-configuration signing certificate " +
        '(its certs/global-conf-signing.pem), not the instance CA',
      { detail: { thumbprint: anchor.thumbprint } },
    );
  }
  return anchor;
}

/** The subjectAltName of the TLS certificate: the host of the address the gateway calls. */
function namesOf(address: string): { dnsNames: string[]; ipAddresses: string[] } {
  const host = new URL(address).hostname.replace(/^\[(.*)\]$/, '$1');
  return isIP(host) === 0 ? { dnsNames: [host], ipAddresses: [] } : { dnsNames: [], ipAddresses: [host] };
}

type FolderFile = Exclude<keyof typeof SERVER_FOLDER, 'dataDir'>;

function folderError(
  paths: ServerFolderPaths,
  name: FolderFile,
  reason: string,
  cause?: unknown,
): OrtooError {
  return new OrtooError('InvalidConfiguration', `${SERVER_FOLDER[name]} in ${paths.dir} ${reason}`, {
    detail: { file: paths[name] },
    ...(cause === undefined ? {} : { cause }),
  });
}

/** The fix for a missing file: what makes it. */
function howToMake(paths: ServerFolderPaths, name: FolderFile): string {
  if (name === 'signKey' || name === 'authKey') return `run \`ortoo ss init ${paths.dir} …\` first`;
  const pending = readPendingRegistration(paths);
  return pending === undefined
    ? `run \`ortoo ss register ${paths.dir} --token …\` first`
    : `registration ${pending.id} (submitted ${pending.submittedAt}) awaits the gateway administrator's approval: ` +
        `run \`ortoo ss register ${paths.dir}\` to wait for it`;
}

function readRequired(paths: ServerFolderPaths, name: FolderFile): string {
  try {
    return readFileSync(paths[name], 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') {
      throw folderError(paths, name, `missing: ${howToMake(paths, name)}`);
    }
    throw folderError(paths, name, `cannot be read: ${String(cause)}`, cause);
  }
}

function readKey(paths: ServerFolderPaths, name: 'signKey' | 'authKey', pem: string): KeyObject {
  try {
    return privateKeyFromPem(pem);
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw folderError(
      paths,
      name,
      `is not a usable private key (${reason}): restore it from a backup, or run \`ortoo ss init --force\` and register again`,
      cause,
    );
  }
}

function readCertificate(
  paths: ServerFolderPaths,
  name: 'signCertificate' | 'authCertificate' | 'caCertificate',
): Certificate {
  const pem = readRequired(paths, name);
  try {
    return parseCertificate(pem);
  } catch (cause) {
    throw folderError(paths, name, `is not a readable PEM certificate: register again to fetch it`, cause);
  }
}
