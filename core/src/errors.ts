/**
 * The closed set of errors Örtöö reports, in one place.
 *
 * Every failure that crosses a boundary (an HTTP answer, a log line, an audit
 * record) is an {@link OrtooError} with one of the codes below. Each code fixes
 * the HTTP status and the X-Road-style fault `type`: `Client.*` when the caller
 * is at fault, `Server.ClientProxy.*` for faults on the consumer's side of the
 * exchange, `Server.ServerProxy.*` for faults beyond it (the gateway's own
 * stores and queues, the provider server and its backend), as an X-Road client
 * expects.
 */

/** HTTP status and X-Road fault type of one error code. */
export interface ErrorKind {
  readonly status: number;
  readonly type: string;
}

export const ERROR_KINDS = {
  // The caller sent something we cannot accept.
  BadRequest: { status: 400, type: 'Client.BadRequest' },
  InvalidIdentifier: { status: 400, type: 'Client.InvalidIdentifier' },
  InvalidEnvelope: { status: 400, type: 'Client.InvalidEnvelope' },
  PayloadTooLarge: { status: 413, type: 'Client.PayloadTooLarge' },
  /** The request's end-to-end headers exceed what one message carries (see `forwarded-headers.ts`). */
  HeadersTooLarge: { status: 431, type: 'Client.HeadersTooLarge' },
  /** The request's media type is not one the service (or the endpoint) takes. */
  UnsupportedMediaType: { status: 415, type: 'Client.UnsupportedMediaType' },
  /** The request (its headers, or a pause in its body) took longer than the listener allows. */
  RequestTimeout: { status: 408, type: 'Client.RequestTimeout' },
  /** A method no route of the listener answers, such as `CONNECT`. */
  MethodNotAllowed: { status: 405, type: 'Client.MethodNotAllowed' },
  /** The peer holds more connections to the listener than it allows one address. */
  TooManyConnections: { status: 429, type: 'Client.TooManyConnections' },
  UnsupportedAlgorithm: { status: 400, type: 'Client.UnsupportedAlgorithm' },
  InvalidSignature: { status: 401, type: 'Client.InvalidSignature' },
  BodyDigestMismatch: { status: 400, type: 'Client.BodyDigestMismatch' },
  UnknownSigner: { status: 401, type: 'Client.UnknownSigner' },
  InvalidCertificate: { status: 401, type: 'Client.InvalidCertificate' },
  CertificateExpired: { status: 401, type: 'Client.CertificateExpired' },
  CertificateRevoked: { status: 401, type: 'Client.CertificateRevoked' },
  StaleMessage: { status: 400, type: 'Client.StaleMessage' },
  ReplayedMessage: { status: 409, type: 'Client.ReplayedMessage' },
  UnknownService: { status: 404, type: 'Client.UnknownService' },
  ServiceDisabled: { status: 403, type: 'Client.ServiceDisabled' },
  AccessDenied: { status: 403, type: 'Client.AccessDenied' },
  SchemaViolation: { status: 400, type: 'Client.SchemaViolation' },
  InvalidSchema: { status: 400, type: 'Client.InvalidSchema' },
  /** An OpenAPI document offered for a service is not one the exchange can use; `detail.pointer` says where. */
  InvalidOpenApi: { status: 400, type: 'Client.InvalidOpenApi' },
  /** No operation of the service's OpenAPI document has a path template the request's path matches. */
  UnknownOperation: { status: 404, type: 'Client.UnknownOperation' },
  /** The request's path matches the service's OpenAPI document, but not with this method; `detail.allowed` lists those it takes. */
  OperationMethodNotAllowed: { status: 405, type: 'Client.OperationMethodNotAllowed' },
  Unauthenticated: { status: 401, type: 'Client.Unauthenticated' },
  Forbidden: { status: 403, type: 'Client.Forbidden' },
  NotFound: { status: 404, type: 'Client.NotFound' },
  Conflict: { status: 409, type: 'Client.Conflict' },
  UnknownSecurityServer: { status: 401, type: 'Client.UnknownSecurityServer' },
  SecurityServerMismatch: { status: 403, type: 'Client.SecurityServerMismatch' },
  /** `X-Road-Security-Server` names a server that is not registered, or not one of the provider's. */
  UnknownTargetServer: { status: 400, type: 'Client.UnknownTargetServer' },
  WrongSigner: { status: 403, type: 'Client.WrongSigner' },

  // The consumer's side of the exchange failed.
  /** The type is PR-REST 4.6's own example of this fault. */
  ConfigurationExpired: { status: 503, type: 'Server.ClientProxy.OutdatedGlobalConf' },
  GatewayUnavailable: { status: 503, type: 'Server.ClientProxy.GatewayUnavailable' },
  Timeout: { status: 504, type: 'Server.ClientProxy.Timeout' },
  InternalError: { status: 500, type: 'Server.ClientProxy.InternalError' },

  // Something beyond the consumer failed: the gateway's stores, the provider.
  AuditUnavailable: { status: 503, type: 'Server.ServerProxy.AuditUnavailable' },
  QueueUnavailable: { status: 503, type: 'Server.ServerProxy.QueueUnavailable' },
  DatabaseError: { status: 503, type: 'Server.ServerProxy.DatabaseError' },
  /** The backend could not be reached; the type is PR-REST 4.6's own (example 2). */
  BackendUnavailable: { status: 503, type: 'Server.ServerProxy.NetworkError' },
  BackendTimeout: { status: 504, type: 'Server.ServerProxy.BackendTimeout' },
  InvalidAnswer: { status: 502, type: 'Server.ServerProxy.InvalidAnswer' },
  ProviderUnavailable: { status: 503, type: 'Server.ServerProxy.ProviderUnavailable' },
  ProviderTimeout: { status: 504, type: 'Server.ServerProxy.ProviderTimeout' },
  /**
   * A non-idempotent call (POST, PATCH) was handed to the backend and no
   * answer is known (the provider's server died, or the backend went silent):
   * it is not made again. The backend got the message id (`X-Road-Id`) to
   * tell whether it did the work.
   */
  OutcomeUnknown: { status: 502, type: 'Server.ServerProxy.OutcomeUnknown' },
  /** A sync wait ended before the answer came; the delivery goes on. */
  ExchangeTimeout: { status: 504, type: 'Server.ServerProxy.Timeout' },
  /** The message was dead-lettered: given up after permanent failure or exhausted retries. */
  DeliveryFailed: { status: 502, type: 'Server.ServerProxy.DeliveryFailed' },

  // Start-up: the process refuses to run with a bad configuration.
  InvalidConfiguration: { status: 500, type: 'Server.InvalidConfiguration' },
} as const satisfies Record<string, ErrorKind>;

/** One of the closed set of error codes. */
export type ErrorCode = keyof typeof ERROR_KINDS;

/** The JSON body of every error answer, as X-Road's REST protocol has it. */
export interface ErrorBody {
  type: string;
  message: string;
  detail?: unknown;
}

/**
 * The HTTP status of an error answer of the client proxy, by the category of
 * its type, as X-Road's REST protocol has it (PR-REST 4.6): 400 when the
 * local system's request is at fault (`Client.*`), 500 for every technical
 * error of the exchange (`Server.*`). Örtöö's more precise codes keep their
 * type; only the status follows the protocol. The gateway's and the provider
 * proxy's own APIs keep {@link ErrorKind.status}.
 */
export function restProtocolStatus(type: string): 400 | 500 {
  return type.startsWith('Client.') ? 400 : 500;
}

/**
 * The body of an error answer of the client proxy (PR-REST 4.6): `detail` is
 * a string, the id under which the error is logged, so an operator can find
 * it; the structured detail of the error, if any, is `data`.
 */
export interface RestErrorBody {
  type: string;
  message: string;
  detail: string;
  data?: unknown;
}

/** Options of {@link OrtooError}. */
export interface OrtooErrorOptions {
  /** Structured detail safe to show the caller (never payloads or keys). */
  detail?: unknown;
  /** The library error this one wraps; kept for logs, never serialised. */
  cause?: unknown;
}

/** A typed Örtöö error: a code from {@link ERROR_KINDS}, a message and optional detail. */
export class OrtooError extends Error {
  override readonly name = 'OrtooError';
  readonly code: ErrorCode;
  readonly detail: unknown;

  constructor(code: ErrorCode, message: string, options: OrtooErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.detail = options.detail;
  }

  /** HTTP status of this error. */
  get status(): number {
    return ERROR_KINDS[this.code].status;
  }

  /** X-Road-style fault type, e.g. `Client.AccessDenied`. */
  get type(): string {
    return ERROR_KINDS[this.code].type;
  }

  /** The client proxy's body of this error (see {@link RestErrorBody}), logged under `errorId`. */
  toRestBody(errorId: string): RestErrorBody {
    return this.detail === undefined
      ? { type: this.type, message: this.message, detail: errorId }
      : { type: this.type, message: this.message, detail: errorId, data: this.detail };
  }

  /** The `{type, message, detail}` body sent to callers. */
  toJSON(): ErrorBody {
    return this.detail === undefined
      ? { type: this.type, message: this.message }
      : { type: this.type, message: this.message, detail: this.detail };
  }
}

/** True when `value` is an {@link OrtooError}, optionally of the given code. */
export function isOrtooError(value: unknown, code?: ErrorCode): value is OrtooError {
  return value instanceof OrtooError && (code === undefined || value.code === code);
}

/**
 * Turns anything thrown into an {@link OrtooError}: typed errors pass through,
 * anything else becomes `InternalError` with the original kept as `cause`.
 */
export function toOrtooError(value: unknown): OrtooError {
  if (value instanceof OrtooError) return value;
  return new OrtooError('InternalError', 'Internal error', { cause: value });
}

const CODE_BY_TYPE = new Map<string, ErrorCode>(
  Object.entries(ERROR_KINDS).map(([code, kind]) => [kind.type, code as ErrorCode]),
);

/** The code of an X-Road-style fault `type` Örtöö reports, or undefined for a type of no code of ours. */
export function errorCodeOfType(type: string): ErrorCode | undefined {
  return CODE_BY_TYPE.get(type);
}
