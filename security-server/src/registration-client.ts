import { createPublicKey } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  ERROR_KINDS,
  OrtooError,
  parseCertificate,
  parseCsr,
  parseSecurityServerId,
  type Certificate,
  type ErrorCode,
} from '../../core/src';
import type { SecurityServerConfig } from './config';
import type { ServerIdentity } from './deps';
import {
  SERVER_FOLDER,
  clearPendingRegistration,
  loadIdentity,
  readPendingRegistration,
  readServerKey,
  serverCertificateProblem,
  serverFolderPaths,
  writeFileAtomic,
  writePendingRegistration,
  type PendingRegistration,
  type ServerFolderPaths,
} from './server-folder';

/** Default of {@link RegisterOptions.pollIntervalMs}. */
export const DEFAULT_REGISTRATION_POLL_MS = 2000;
/** Default of {@link RegisterOptions.timeoutMs}: ten minutes for an administrator to approve. */
export const DEFAULT_REGISTRATION_TIMEOUT_MS = 600_000;

/** Options of {@link registerServer}. */
export interface RegisterOptions {
  /**
   * The one-time registration token the gateway's administrator issued for
   * this server. Not needed (and not used) when a submitted registration is
   * pending: waiting for it resumes.
   */
  token?: string;
  /**
   * Wait for the administrator's decision; when false, submit (or look once
   * at the pending registration) and return.
   * @defaultValue true
   */
  wait?: boolean;
  /** @defaultValue {@link DEFAULT_REGISTRATION_POLL_MS} */
  pollIntervalMs?: number;
  /** How long to wait for the decision. @defaultValue {@link DEFAULT_REGISTRATION_TIMEOUT_MS} */
  timeoutMs?: number;
  /** The HTTP client (e.g. one that trusts the gateway's TLS CA). @defaultValue the global `fetch` */
  fetch?: typeof fetch;
  /** @defaultValue the real clock */
  clock?: () => Date;
  /** Called once when waiting for the decision begins, e.g. to tell the operator. */
  onWaiting?: (registration: PendingRegistration) => void;
}

/** How {@link registerServer} ended, short of an error. */
export type RegistrationOutcome =
  | {
      readonly status: 'approved';
      readonly id: string;
      /** True when an earlier submission was waited for (a token given was not used). */
      readonly resumed: boolean;
      /** The server's identity, loaded from the folder with its new certificates. */
      readonly identity: ServerIdentity;
    }
  | {
      readonly status: 'pending';
      readonly id: string;
      readonly submittedAt: string;
      readonly resumed: boolean;
    };

/** What `GET /v1/registrations/:id/result` answers. */
interface RegistrationResult {
  status: 'pending' | 'approved' | 'rejected';
  reason?: string;
  signCertificate?: string;
  authCertificate?: string;
  caCertificate?: string;
}

/**
 * Registers the security server of folder `dir` with the gateway, as in
 * X-Road: submits its CSRs with the one-time token (`POST
 * <gateway.url>/v1/registrations`, only CSRs leave the folder), records the
 * submission in `registration.json`, then polls `GET
 * /v1/registrations/:id/result` until the administrator decides. On approval
 * the certificates are checked (issued by the CA that also issued the trust
 * anchor, certifying this folder's keys, naming this server) before they are
 * written to `certs/`; on rejection the reason is reported. A wait that
 * times out leaves `registration.json`, so calling this again resumes
 * waiting rather than submitting again.
 *
 * @returns `approved` with the loaded identity, or `pending` when the wait
 *   timed out (or `wait` is false).
 * @throws OrtooError `Forbidden` when the registration was rejected (with the
 *   reason); `Unauthenticated` for a bad, used or expired token (and the other
 *   errors the gateway answers with, by their type); `BadRequest` with no
 *   token and nothing pending; `NotFound` when the gateway no longer knows the
 *   pending registration; `GatewayUnavailable` when the gateway cannot be
 *   reached to submit; `InvalidCertificate` for certificates that do not fit
 *   this server; `InvalidConfiguration` for a broken folder.
 */
export async function registerServer(
  dir: string,
  config: SecurityServerConfig,
  options: RegisterOptions = {},
): Promise<RegistrationOutcome> {
  const paths = serverFolderPaths(dir);
  const clock = options.clock ?? (() => new Date());
  const http = new GatewayHttp(config.gateway.url, options.fetch ?? fetch);
  const timeoutMs = options.wait === false ? 0 : (options.timeoutMs ?? DEFAULT_REGISTRATION_TIMEOUT_MS);
  const pollIntervalMs = options.pollIntervalMs ?? DEFAULT_REGISTRATION_POLL_MS;

  let pending = readPendingRegistration(paths);
  const resumed = pending !== undefined;
  if (pending === undefined) {
    if (options.token === undefined || options.token === '') {
      throw new OrtooError(
        'BadRequest',
        `No registration is pending for ${paths.dir}: give the registration token the gateway's administrator issued`,
      );
    }
    pending = await submit(paths, config, options.token, http, clock);
    writePendingRegistration(paths, pending);
  }

  const deadline = clock().getTime() + timeoutMs;
  let told = false;
  for (;;) {
    let result: RegistrationResult | undefined;
    try {
      result = await http.json<RegistrationResult>(
        'GET',
        `v1/registrations/${encodeURIComponent(pending.id)}/result`,
      );
    } catch (error) {
      if (error instanceof OrtooError && error.code === 'NotFound') {
        clearPendingRegistration(paths);
        throw new OrtooError(
          'NotFound',
          `The gateway does not know registration ${pending.id} (submitted ${pending.submittedAt}): ` +
            'register again with a new token',
          { cause: error },
        );
      }
      // A gateway that is restarting is waited for like an administrator who has not decided yet.
      if (!(error instanceof OrtooError && error.status >= 500)) throw error;
    }

    if (result?.status === 'approved') {
      try {
        installCertificates(paths, config, result, clock());
      } finally {
        // Decided either way: certificates that do not fit will not fit on a second try either.
        clearPendingRegistration(paths);
      }
      return {
        status: 'approved',
        id: pending.id,
        resumed,
        identity: loadIdentity(paths.dir, config, { now: clock() }),
      };
    }
    if (result?.status === 'rejected') {
      clearPendingRegistration(paths);
      throw new OrtooError(
        'Forbidden',
        `Registration ${pending.id} was rejected by the gateway's administrator: ${result.reason ?? 'no reason given'}`,
        { detail: { id: pending.id, reason: result.reason } },
      );
    }
    const left = deadline - clock().getTime();
    if (left <= 0) return { status: 'pending', id: pending.id, submittedAt: pending.submittedAt, resumed };
    if (!told) {
      options.onWaiting?.(pending);
      told = true;
    }
    await sleep(Math.min(pollIntervalMs, left));
  }
}

/** Submits the folder's CSRs with the token; the gateway's answer names the registration. */
async function submit(
  paths: ServerFolderPaths,
  config: SecurityServerConfig,
  token: string,
  http: GatewayHttp,
  clock: () => Date,
): Promise<PendingRegistration> {
  const signCsr = csrFor(paths, 'signCsr', 'signKey');
  const authCsr = csrFor(paths, 'authCsr', 'authKey');
  const submittedAt = clock().toISOString();
  const answer = await http.json<{ id?: unknown }>('POST', 'v1/registrations', {
    token,
    securityServerId: config.serverId,
    address: config.providerProxy.address,
    signCsr,
    authCsr,
  });
  if (typeof answer.id !== 'string') {
    throw new OrtooError('GatewayUnavailable', 'The gateway accepted the registration but named no id');
  }
  return { id: answer.id, submittedAt };
}

/** The CSR file, checked to ask for the key beside it (a folder whose keys were replaced by hand would not). */
function csrFor(paths: ServerFolderPaths, csr: 'signCsr' | 'authCsr', key: 'signKey' | 'authKey'): string {
  let pem: string;
  try {
    pem = readFileSync(paths[csr], 'utf8');
  } catch (cause) {
    throw new OrtooError(
      'InvalidConfiguration',
      `${SERVER_FOLDER[csr]} in ${paths.dir} cannot be read: run \`ortoo ss init ${paths.dir} --force …\` to make new keys`,
      { cause },
    );
  }
  const publicKey = createPublicKey(readServerKey(paths, key));
  let matches: boolean;
  try {
    matches = parseCsr(pem).publicKey.equals(publicKey);
  } catch (cause) {
    throw new OrtooError('InvalidConfiguration', `${SERVER_FOLDER[csr]} in ${paths.dir} is not a valid CSR`, {
      cause,
    });
  }
  if (!matches) {
    throw new OrtooError(
      'InvalidConfiguration',
      `${SERVER_FOLDER[csr]} in ${paths.dir} asks for another key than ${SERVER_FOLDER[key]}: ` +
        `run \`ortoo ss init ${paths.dir} --force …\` to make new keys`,
    );
  }
  return pem;
}

/** Checks the approved registration's certificates against the folder, then writes them. */
function installCertificates(
  paths: ServerFolderPaths,
  config: SecurityServerConfig,
  result: RegistrationResult,
  now: Date,
): void {
  const parse = (pem: string | undefined, what: string): Certificate => {
    try {
      return parseCertificate(pem ?? '');
    } catch (cause) {
      throw new OrtooError(
        'InvalidCertificate',
        `The gateway approved the registration but sent no readable ${what}`,
        {
          cause,
        },
      );
    }
  };
  const ca = parse(result.caCertificate, 'CA certificate');
  const sign = parse(result.signCertificate, 'sign certificate');
  const auth = parse(result.authCertificate, 'auth certificate');

  // The anchor came out of band; a CA that did not issue it may not be the instance's (the gateway URL may be plain HTTP).
  const anchor = parseCertificate(readFileSync(paths.anchor, 'utf8'));
  if (!ca.isCa || !anchor.isIssuedBy(ca)) {
    throw new OrtooError(
      'InvalidCertificate',
      `The CA certificate the gateway sent did not issue the trust anchor (${SERVER_FOLDER.anchor}): ` +
        'check gateway.url points at the gateway of that anchor',
      { detail: { ca: ca.thumbprint, anchor: anchor.thumbprint } },
    );
  }
  const server = parseSecurityServerId(config.serverId);
  for (const [kind, certificate] of [
    ['sign', sign],
    ['auth', auth],
  ] as const) {
    const key = readServerKey(paths, kind === 'sign' ? 'signKey' : 'authKey');
    const wrong = serverCertificateProblem(kind, certificate, key, { ca, server, now });
    if (wrong !== undefined) {
      throw new OrtooError('InvalidCertificate', `The ${kind} certificate the gateway issued ${wrong}`, {
        detail: { thumbprint: certificate.thumbprint },
      });
    }
  }
  mkdirSync(path.dirname(paths.caCertificate), { recursive: true });
  writeFileAtomic(paths.caCertificate, ca.pem);
  writeFileAtomic(paths.signCertificate, sign.pem);
  writeFileAtomic(paths.authCertificate, auth.pem);
}

/** The gateway's admin API, as far as registration needs it. */
class GatewayHttp {
  readonly #base: string;
  readonly #fetch: typeof fetch;

  constructor(url: string, fetchImpl: typeof fetch) {
    this.#base = url.endsWith('/') ? url : `${url}/`;
    this.#fetch = fetchImpl;
  }

  /**
   * Sends one request and reads its JSON answer.
   * @throws OrtooError of the gateway's error type for an error answer,
   *   `GatewayUnavailable` when it cannot be reached or answers no JSON.
   */
  async json<T>(method: 'GET' | 'POST', relative: string, body?: unknown): Promise<T> {
    const url = new URL(relative, this.#base).href;
    let response: Response;
    try {
      response = await this.#fetch(url, {
        method,
        headers: {
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (cause) {
      const reason =
        cause instanceof Error
          ? ((cause.cause as Error | undefined)?.message ?? cause.message)
          : String(cause);
      throw new OrtooError('GatewayUnavailable', `Cannot reach the gateway at ${url}: ${reason}`, { cause });
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (response.ok && parsed !== undefined) return parsed as T;
    const { type, message } = (parsed ?? {}) as { type?: unknown; message?: unknown };
    const code =
      codeOfType(type) ?? (response.status >= 500 || response.ok ? 'GatewayUnavailable' : 'BadRequest');
    throw new OrtooError(
      code,
      `The gateway answered ${method} ${url} with ${response.status}${typeof message === 'string' ? `: ${message}` : ''}`,
      { detail: { status: response.status, type } },
    );
  }
}

/** The error code of an X-Road fault type the gateway answered, when it is one of ours. */
function codeOfType(type: unknown): ErrorCode | undefined {
  return (Object.keys(ERROR_KINDS) as ErrorCode[]).find((code) => ERROR_KINDS[code].type === type);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
