import {
  errorCodeOfType,
  OrtooError,
  type GlobalConfSecurityServer,
  type RequestEnvelope,
  type ResponseEnvelope,
  type SignedMessage,
  PinnedMtlsClient,
  TransportFailure,
  parseStrictJson,
  type RawAnswer,
} from '../../../core/src';

/** Options of {@link ProviderClient}. */
export interface ProviderClientOptions {
  /** PEM of the gateway's TLS certificate (`gateway-tls.pem`), presented as the client certificate. */
  readonly certificatePem: string;
  /** PEM private key of that certificate. */
  readonly keyPem: string;
  /** PEM of the CAs a provider's certificate must chain to: the instance CA, nothing else. */
  readonly caPem: readonly string[];
  /**
   * Idle connections kept open per security server for the next calls.
   * @defaultValue `16`
   */
  readonly keepAliveSockets?: number;
  /**
   * Largest answer read, in bytes; a longer one is `InvalidAnswer`.
   * @defaultValue 10 MiB
   */
  readonly maxAnswerBytes?: number;
}

const DEFAULT_KEEP_ALIVE_SOCKETS = 16;
const DEFAULT_MAX_ANSWER_BYTES = 10 * 1024 * 1024;
/** Statuses of a proxy or load balancer in front of a server that is down or busy. */
const UNAVAILABLE_STATUSES = new Set([502, 503, 504]);
/** Longest provider error message passed on; the rest is the provider's business. */
const MAX_MESSAGE_LENGTH = 500;
/** Longest provider reason (a system error code, e.g. `ECONNREFUSED`) passed on. */
const MAX_REASON_LENGTH = 100;

/**
 * The gateway's HTTPS client towards security servers: delivers requests to
 * a provider's server (`POST <address>/v1/deliver`) and answers to a
 * consumer's (`POST <address>/v1/answers`), over mutual TLS with the
 * gateway's TLS certificate and keep-alive connections reused across calls.
 *
 * **Who the peer is.** Its certificate must chain to the instance CA (checked
 * in the handshake) and its `x5t#S256` thumbprint must be one of the
 * server's `authCertificates` in the signed global configuration (checked for
 * every request, before anything is written, also on a reused connection:
 * the list may have changed since it was opened). The host name is not
 * checked: servers are addressed by their registered URL, often an IP
 * address their certificate need not name, and the pin on the exact
 * certificate the registry lists is a stronger identity check than a name.
 *
 * **Failures** are OrtooErrors, transient ones (worth a retry) being
 * `ProviderUnavailable` and `ProviderTimeout`, and the provider's own typed
 * errors as it reported them:
 * - no connection, reset, refused handshake → `ProviderUnavailable`;
 * - a certificate not registered for that server → `ProviderUnavailable`
 *   (detail `reason: 'unregistered-certificate'`): a server rotating its TLS
 *   key presents the new certificate before the gateway's view of the
 *   registry lists it, and a retry then succeeds;
 * - the deadline passing (connect, send and read included) → `ProviderTimeout`;
 * - an error answer `{type, message}` of a known Örtöö type → that error;
 *   otherwise 502/503/504 → `ProviderUnavailable`, any other status →
 *   `InvalidAnswer`;
 * - an answer that is not JSON, or longer than `maxAnswerBytes` → `InvalidAnswer`.
 *
 * Connections, their keep-alive race and TLS session resumption are the
 * core's {@link PinnedMtlsClient}'s.
 */
export class ProviderClient {
  readonly #client: PinnedMtlsClient;
  readonly #maxAnswerBytes: number;

  constructor(options: ProviderClientOptions) {
    this.#maxAnswerBytes = options.maxAnswerBytes ?? DEFAULT_MAX_ANSWER_BYTES;
    this.#client = new PinnedMtlsClient({
      certificatePem: options.certificatePem,
      keyPem: options.keyPem,
      caPem: options.caPem,
      maxFreeSockets: options.keepAliveSockets ?? DEFAULT_KEEP_ALIVE_SOCKETS,
    });
  }

  /**
   * Delivers a consumer's signed request to a provider's security server and
   * returns the parsed JSON of its `200` answer, for the caller to verify.
   *
   * @param timeoutMs - deadline of the whole call, connecting and reading the answer included.
   * @throws OrtooError as listed on the class.
   */
  async deliver(
    server: GlobalConfSecurityServer,
    message: SignedMessage<RequestEnvelope>,
    timeoutMs: number,
  ): Promise<unknown> {
    const answer = await this.#post(server, 'v1/deliver', message, timeoutMs);
    if (answer.status !== 200) throw answerFailure(server, answer);
    return parseJson(server, answer.body);
  }

  /**
   * Hands a provider's signed answer to the consumer's security server; any
   * 2xx status means it took it.
   *
   * @param timeoutMs - deadline of the whole call.
   * @throws OrtooError as listed on the class.
   */
  async callback(
    server: GlobalConfSecurityServer,
    answer: SignedMessage<ResponseEnvelope>,
    timeoutMs: number,
  ): Promise<void> {
    const reply = await this.#post(server, 'v1/answers', answer, timeoutMs);
    if (reply.status < 200 || reply.status > 299) throw answerFailure(server, reply);
  }

  /** Closes every pooled connection; calls in flight fail. */
  close(): void {
    this.#client.close();
  }

  async #post(
    server: GlobalConfSecurityServer,
    path: string,
    message: SignedMessage,
    timeoutMs: number,
  ): Promise<RawAnswer> {
    const payload = Buffer.from(JSON.stringify(message));
    try {
      return await this.#client.request({
        method: 'POST',
        url: endpointUrl(server, path),
        headers: {
          'content-type': 'application/json',
          'content-length': payload.length,
          accept: 'application/json',
        },
        body: payload,
        timeoutMs,
        pin: (thumbprint) => pinFailure(server, thumbprint),
        maxAnswerBytes: this.#maxAnswerBytes,
        peer: `Security server ${server.id}`,
        peerDetail: { serverId: server.id },
      });
    } catch (error) {
      throw transportFailure(server, error, timeoutMs);
    }
  }
}

/** `<address>/<path>`, keeping any path the registered address has. */
function endpointUrl(server: GlobalConfSecurityServer, path: string): URL {
  const base = server.address.endsWith('/') ? server.address : `${server.address}/`;
  let url: URL | undefined;
  try {
    url = new URL(path, base);
  } catch {
    // reported below
  }
  if (url?.protocol !== 'https:') {
    // Mutual TLS is the only way the gateway talks to a server; a registry that lists
    // another address must be fixed, after which a retry goes through.
    throw new OrtooError('ProviderUnavailable', `Security server ${server.id} has no https address`, {
      detail: { serverId: server.id, address: server.address, reason: 'address-not-https' },
    });
  }
  return url;
}

/** Why the peer is not `server`, or undefined when it presented one of its certificates. */
function pinFailure(
  server: GlobalConfSecurityServer,
  thumbprint: string | undefined,
): OrtooError | undefined {
  if (thumbprint !== undefined && server.authCertificates.some((c) => c.thumbprint === thumbprint)) {
    return undefined;
  }
  return new OrtooError(
    'ProviderUnavailable',
    `Security server ${server.id} presented a TLS certificate not registered for it`,
    { detail: { serverId: server.id, reason: 'unregistered-certificate', thumbprint } },
  );
}

/** A transport error as the OrtooError a caller can act on. */
function transportFailure(server: GlobalConfSecurityServer, error: unknown, timeoutMs: number): OrtooError {
  if (error instanceof OrtooError) return error;
  if (error instanceof TransportFailure && error.timedOut) {
    return new OrtooError(
      'ProviderTimeout',
      `Security server ${server.id} did not answer in ${timeoutMs} ms`,
      {
        detail: { serverId: server.id, timeoutMs },
        cause: error,
      },
    );
  }
  const reason = error instanceof TransportFailure ? error.reason : String(error);
  return new OrtooError('ProviderUnavailable', `Security server ${server.id} cannot be reached`, {
    detail: { serverId: server.id, reason },
    cause: error,
  });
}

/** A non-success answer: the provider's typed error when it sent one, else judged by status. */
function answerFailure(server: GlobalConfSecurityServer, answer: RawAnswer): OrtooError {
  const detail = { serverId: server.id, status: answer.status };
  const body = errorBody(answer.body);
  const code = body === undefined ? undefined : errorCodeOfType(body.type);
  if (body !== undefined && code !== undefined) {
    // The provider's reason (`ECONNREFUSED` for a backend it could not reach) tells whether the call was made.
    const reason = body.reason === undefined ? {} : { reason: body.reason };
    return new OrtooError(code, body.message, { detail: { ...detail, ...reason } });
  }
  return new OrtooError(
    UNAVAILABLE_STATUSES.has(answer.status) ? 'ProviderUnavailable' : 'InvalidAnswer',
    `Security server ${server.id} answered ${answer.status}`,
    { detail: body === undefined ? detail : { ...detail, type: body.type.slice(0, 100) } },
  );
}

/** `{type, message}` of an Örtöö error answer, and its detail's `reason`; undefined for anything else. */
function errorBody(bytes: Buffer): { type: string; message: string; reason?: string } | undefined {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { type, message, detail } = value as { type?: unknown; message?: unknown; detail?: unknown };
  if (typeof type !== 'string') return undefined;
  const reason = (detail as { reason?: unknown } | null | undefined)?.reason;
  return {
    type,
    message: typeof message === 'string' ? message.slice(0, MAX_MESSAGE_LENGTH) : type,
    ...(typeof reason === 'string' ? { reason: reason.slice(0, MAX_REASON_LENGTH) } : {}),
  };
}

/**
 * The JSON of a success answer, read as strictly as any listener reads a
 * request (UTF-8, nesting bounded before any recursive walk, storable text):
 * a hostile provider cannot overflow the verification's stack.
 */
function parseJson(server: GlobalConfSecurityServer, bytes: Buffer): unknown {
  try {
    return parseStrictJson(bytes, { what: `The answer of security server ${server.id}` });
  } catch (cause) {
    throw new OrtooError('InvalidAnswer', `Security server ${server.id} answered with something not JSON`, {
      detail: { serverId: server.id },
      cause,
    });
  }
}
