import {
  DEFAULT_MAX_JSON_DEPTH,
  MESSAGE_DEPTH_OVERHEAD,
  errorCodeOfType,
  OrtooError,
  parseStrictJson,
  PinnedMtlsClient,
  TransportFailure,
  type RawAnswer,
  type RequestEnvelope,
  type SignedMessage,
} from '../../core/src';
import type { SecurityServerDeps } from './deps';

/** Where a message stands at the gateway (`GET /v1/exchange/:id`). */
export type ExchangeState = 'queued' | 'delivering' | 'retrying' | 'delivered' | 'dead-lettered';

/** A message's status as the gateway reports it. */
export interface ExchangeStatus {
  readonly id: string;
  readonly state: ExchangeState;
  /** Delivery attempts that ended. */
  readonly attempts: number;
  /** The provider's signed answer once `delivered`, not yet verified by this server. */
  readonly answer?: unknown;
  /** Why it is `retrying` or `dead-lettered`. */
  readonly reason?: { readonly type: string; readonly message: string };
}

/** What the gateway answered to a submission. */
export interface GatewayAnswer {
  /** 200: `body` is the provider's signed answer (unverified); 202: `{id, status, statusUrl}`. */
  readonly status: 200 | 202;
  readonly body: unknown;
}

/** Options of one {@link GatewayClient.submit}. */
export interface SubmitOptions {
  /** `Prefer: respond-async`: the gateway answers 202 at once. @defaultValue false */
  readonly async?: boolean;
  /** With `async`, have the gateway POST the answer to this server's `/v1/answers`. @defaultValue false */
  readonly callback?: boolean;
  /** Deadline of the whole call. @defaultValue {@link GatewayClientOptions.timeoutMs} */
  readonly timeoutMs?: number;
}

/** Options of {@link GatewayClient}. */
export interface GatewayClientOptions {
  /**
   * Connections open at once: each sync call holds one until the provider
   * answers, so this bounds the sync calls in flight (more wait for a socket).
   * @defaultValue 256
   */
  readonly maxSockets?: number;
  /** Idle connections kept for the next calls. @defaultValue 64 */
  readonly maxFreeSockets?: number;
  /** Deadline of a call that names none. @defaultValue 60_000 */
  readonly timeoutMs?: number;
  /** Largest answer read; a longer one is `InvalidAnswer`. @defaultValue 64 MiB */
  readonly maxAnswerBytes?: number;
}

/** What the client needs of the server: where the gateway is, the TLS identity, and the conf (for the pin). */
export type GatewayClientDeps = Pick<SecurityServerDeps, 'config' | 'identity' | 'conf'>;

const DEFAULT_MAX_SOCKETS = 256;
const DEFAULT_MAX_FREE_SOCKETS = 64;
const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_MAX_ANSWER_BYTES = 64 * 1024 * 1024;
/** Statuses of a load balancer in front of a gateway that is down or busy. */
const UNAVAILABLE_STATUSES = new Set([502, 503, 504]);
const MAX_MESSAGE_LENGTH = 1000;

/**
 * The error of a gateway's non-success answer: its own `{type, message,
 * detail}` passed on with the same type (the type tells where it failed);
 * a type outside Örtöö's closed set is `InvalidAnswer`; an answer that is no
 * Örtöö error at all is `GatewayUnavailable` for 502/503/504 (a proxy in
 * front of a gateway that is down) and `InvalidAnswer` otherwise.
 */
export function gatewayError(status: number, bytes: Buffer): OrtooError {
  const body = errorBody(bytes);
  if (body === undefined) {
    return new OrtooError(
      UNAVAILABLE_STATUSES.has(status) ? 'GatewayUnavailable' : 'InvalidAnswer',
      `The gateway answered ${status}`,
      { detail: { status } },
    );
  }
  const code = errorCodeOfType(body.type);
  if (code === undefined) {
    return new OrtooError('InvalidAnswer', `The gateway answered ${status} with an unknown error type`, {
      detail: { status, type: body.type.slice(0, 100), message: body.message },
    });
  }
  return new OrtooError(code, body.message, body.detail === undefined ? {} : { detail: body.detail });
}

/** `{type, message, detail}` of an Örtöö error answer, or undefined for anything else. */
function errorBody(bytes: Buffer): { type: string; message: string; detail?: unknown } | undefined {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { type, message, detail } = value as { type?: unknown; message?: unknown; detail?: unknown };
  if (typeof type !== 'string') return undefined;
  return {
    type,
    message: typeof message === 'string' ? message.slice(0, MAX_MESSAGE_LENGTH) : type,
    ...(detail === undefined ? {} : { detail }),
  };
}

/** The gateway's answer as strict JSON (no recursive walk meets a message nested deeper than we take). */
function parseJson(bytes: Buffer): unknown {
  try {
    return parseStrictJson(bytes, {
      what: 'The answer',
      maxDepth: DEFAULT_MAX_JSON_DEPTH + MESSAGE_DEPTH_OVERHEAD,
    });
  } catch (cause) {
    throw new OrtooError('InvalidAnswer', 'The gateway answered with something not strict JSON', { cause });
  }
}

/** `<base>/<path>`, keeping any path the base URL has. */
function urlOf(base: string, path: string): URL {
  return new URL(path, base.endsWith('/') ? base : `${base}/`);
}

/**
 * The security server's client of the gateway's exchange listener:
 * `POST /v1/exchange` (a signed request; the provider's signed answer, or
 * 202 for an async call) and `GET /v1/exchange/:id` (where a message
 * stands), over mutual TLS with the server's auth certificate and keep-alive
 * connections shared by all calls.
 *
 * **Who the peer is.** Its certificate must chain to the instance CA (the
 * handshake) and be one of the gateway's TLS certificates the signed global
 * configuration lists (checked before each request is written, also on a
 * reused connection). Every member's server holds a certificate of the same
 * CA, so the CA alone would let any of them pose as the gateway; the pin does
 * not. The host name is therefore not checked.
 *
 * **Failures** are OrtooErrors: no connection, a reset or a refused handshake
 * → `GatewayUnavailable`; the deadline → `Timeout`; the gateway's own error
 * answers as it typed them (see {@link gatewayError}).
 */
export class GatewayClient {
  readonly #deps: GatewayClientDeps;
  readonly #client: PinnedMtlsClient;
  readonly #timeoutMs: number;
  readonly #maxAnswerBytes: number;

  constructor(deps: GatewayClientDeps, options: GatewayClientOptions = {}) {
    this.#deps = deps;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#maxAnswerBytes = options.maxAnswerBytes ?? DEFAULT_MAX_ANSWER_BYTES;
    const { tls, caPem } = deps.identity;
    this.#client = new PinnedMtlsClient({
      certificatePem: tls.certificatePem,
      keyPem: tls.keyPem,
      caPem,
      maxSockets: options.maxSockets ?? DEFAULT_MAX_SOCKETS,
      maxFreeSockets: options.maxFreeSockets ?? DEFAULT_MAX_FREE_SOCKETS,
    });
  }

  /**
   * Submits a signed request. The answer is returned as the gateway sent it:
   * the caller verifies the provider's signature.
   *
   * @throws OrtooError as listed on the class.
   */
  async submit(message: SignedMessage<RequestEnvelope>, options: SubmitOptions = {}): Promise<GatewayAnswer> {
    const prefer = options.async
      ? options.callback
        ? 'respond-async, ortoo-callback'
        : 'respond-async'
      : '';
    const payload = Buffer.from(JSON.stringify(message));
    const answer = await this.#call('POST', 'v1/exchange', options.timeoutMs ?? this.#timeoutMs, {
      payload,
      prefer,
    });
    if (answer.status !== 200 && answer.status !== 202) throw gatewayError(answer.status, answer.body);
    return { status: answer.status, body: parseJson(answer.body) };
  }

  /**
   * Where a message of this server's member stands.
   *
   * @throws OrtooError `NotFound` (passed on from the gateway) and as listed on the class.
   */
  async status(id: string, timeoutMs = this.#timeoutMs): Promise<ExchangeStatus> {
    const answer = await this.#call('GET', `v1/exchange/${encodeURIComponent(id)}`, timeoutMs);
    if (answer.status !== 200) throw gatewayError(answer.status, answer.body);
    const status = parseJson(answer.body) as ExchangeStatus | null;
    if (typeof status?.state !== 'string') {
      throw new OrtooError('InvalidAnswer', 'The gateway answered a status without a state');
    }
    return status;
  }

  /** Closes the pooled connections; calls in flight fail. */
  close(): void {
    this.#client.close();
  }

  async #call(
    method: 'GET' | 'POST',
    path: string,
    timeoutMs: number,
    send: { payload: Buffer; prefer: string } | undefined = undefined,
  ): Promise<RawAnswer> {
    const headers: Record<string, string | number> = { accept: 'application/json' };
    if (send !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = send.payload.length;
      if (send.prefer !== '') headers.prefer = send.prefer;
    }
    try {
      return await this.#client.request({
        method,
        url: urlOf(this.#deps.config.gateway.exchangeUrl, path),
        headers,
        ...(send === undefined ? {} : { body: send.payload }),
        timeoutMs,
        pin: (thumbprint) => this.#pinFailure(thumbprint),
        maxAnswerBytes: this.#maxAnswerBytes,
        peer: 'The gateway',
      });
    } catch (error) {
      if (error instanceof OrtooError) throw error;
      if (error instanceof TransportFailure && error.timedOut) {
        throw new OrtooError('Timeout', `The gateway did not answer in ${timeoutMs} ms`, {
          detail: { timeoutMs },
          cause: error,
        });
      }
      const reason = error instanceof TransportFailure ? error.reason : String(error);
      throw new OrtooError('GatewayUnavailable', 'The gateway cannot be reached', {
        detail: { reason },
        cause: error,
      });
    }
  }

  /** Why the peer is not the gateway, or undefined when it presented a gateway certificate. */
  #pinFailure(thumbprint: string | undefined): OrtooError | undefined {
    const listed = this.#deps.conf.index().conf.gatewayCertificates;
    if (thumbprint !== undefined && listed.some((certificate) => certificate.thumbprint === thumbprint)) {
      return undefined;
    }
    return new OrtooError(
      'GatewayUnavailable',
      'The gateway presented a TLS certificate the global configuration does not list',
      {
        detail: { reason: 'unlisted-certificate', thumbprint },
      },
    );
  }
}
