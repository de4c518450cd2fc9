import http, {
  STATUS_CODES,
  type IncomingMessage,
  type RequestListener,
  type ServerResponse,
} from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import { OrtooError } from '../errors';

/**
 * What one listener allows a client, so a slow or greedy client cannot hold
 * what others need: every Örtöö listener (admin API, exchange listener,
 * client and provider proxies, a worker's operational endpoints) is made by
 * {@link createHardenedServer} with these.
 */
export interface ListenerLimits {
  /**
   * How long a client may take to send a request's headers, from its first
   * byte (or from the connection, for a connection that sends nothing).
   * @defaultValue 10_000
   */
  readonly headersTimeoutMs?: number;
  /**
   * How long a request's body may pause between two chunks before it is
   * refused (`408 Client.RequestTimeout`); enforced by {@link readRequestBody}.
   * @defaultValue 10_000
   */
  readonly bodyIdleTimeoutMs?: number;
  /**
   * How long a client may take to send a whole request, headers and body.
   * @defaultValue 60_000
   */
  readonly requestTimeoutMs?: number;
  /**
   * Most connections open at once from one peer address; a request on one
   * more gets `429 Client.TooManyConnections`. 0: no limit (behind a load
   * balancer every client has its address).
   * @defaultValue 256
   */
  readonly maxConnectionsPerPeer?: number;
  /**
   * How long an idle keep-alive connection is kept open.
   * @defaultValue 5_000
   */
  readonly keepAliveTimeoutMs?: number;
}

/** The limits every listener has unless configured otherwise. */
export const DEFAULT_LISTENER_LIMITS: Readonly<Required<ListenerLimits>> = Object.freeze({
  headersTimeoutMs: 10_000,
  bodyIdleTimeoutMs: 10_000,
  requestTimeoutMs: 60_000,
  maxConnectionsPerPeer: 256,
  keepAliveTimeoutMs: 5_000,
});

/** Options of {@link createHardenedServer}. */
export interface HardenedServerOptions {
  readonly limits?: ListenerLimits;
  /** TLS options: an HTTPS server; without them, plain HTTP. */
  readonly tls?: https.ServerOptions;
  /** Told the X-Road type of each request refused before any application saw it (for a metric). */
  readonly onRefused?: (type: string) => void;
}

/** The body-idle limit of each request's listener, for {@link bodyIdleTimeoutOf}. */
const bodyIdleTimeouts = new WeakMap<IncomingMessage, number>();

/**
 * The body-idle timeout of the listener a request came to; the default for
 * a request of another server (an in-process test's).
 */
export function bodyIdleTimeoutOf(req: IncomingMessage): number {
  return bodyIdleTimeouts.get(req) ?? DEFAULT_LISTENER_LIMITS.bodyIdleTimeoutMs;
}

/** An error answer written straight to a socket: for refusals before (or without) a request object. */
function rawAnswer(socket: Duplex, error: OrtooError): void {
  const body = JSON.stringify(error.toJSON());
  socket.end(
    `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status] ?? ''}\r\n` +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      `X-Road-Error: ${error.type}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
  // A peer that does not read its answer does not keep the socket either.
  setTimeout(() => socket.destroy(), 1000).unref();
}

/** The typed error of a connection-level failure Node reports as `clientError`. */
function clientErrorOf(code: string | undefined, limits: Required<ListenerLimits>): OrtooError {
  switch (code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new OrtooError(
        'RequestTimeout',
        `The request was not complete in time: headers take at most ${limits.headersTimeoutMs} ms, ` +
          `the whole request ${limits.requestTimeoutMs} ms`,
        {
          detail: { headersTimeoutMs: limits.headersTimeoutMs, requestTimeoutMs: limits.requestTimeoutMs },
        },
      );
    case 'HPE_INVALID_METHOD':
      return new OrtooError('MethodNotAllowed', 'Unknown HTTP method');
    case 'HPE_HEADER_OVERFLOW':
      return new OrtooError('BadRequest', 'The request headers are too large');
    default:
      return new OrtooError('BadRequest', 'Malformed HTTP request', {
        detail: code === undefined ? {} : { reason: code },
      });
  }
}

function answer(res: ServerResponse, error: OrtooError): void {
  const body = JSON.stringify(error.toJSON());
  res.writeHead(error.status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'x-road-error': error.type,
    connection: 'close',
  });
  res.end(body);
}

/**
 * An HTTP or HTTPS server, not listening, that holds every client to
 * `limits`: a slow client's headers or body end in `408
 * Client.RequestTimeout`, a peer's connections beyond the limit in `429
 * Client.TooManyConnections`, `CONNECT` and unknown methods in `405
 * Client.MethodNotAllowed`, malformed requests in `400 Client.BadRequest` —
 * each a typed `{type, message, detail}` body with `X-Road-Error`, never a
 * silently closed socket. Node checks the header and request timeouts every
 * second (or sooner for short ones).
 */
export function createHardenedServer(app: RequestListener, options: HardenedServerOptions = {}): http.Server {
  const limits: Required<ListenerLimits> = { ...DEFAULT_LISTENER_LIMITS, ...options.limits };
  const refused = options.onRefused ?? (() => undefined);
  const requestTimeout = Math.max(limits.requestTimeoutMs, limits.headersTimeoutMs);
  const serverOptions: http.ServerOptions = {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout,
    connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(limits.headersTimeoutMs / 4))),
    keepAlive: true, // TCP keep-alive probes: a peer that vanished without a word is noticed
  };
  const overLimit = new WeakSet<Socket>();
  // The latest request on each connection, and its answer.
  const latest = new WeakMap<Duplex, { req: IncomingMessage; res: ServerResponse }>();

  const guarded: RequestListener = (req, res) => {
    if (overLimit.has(req.socket)) {
      const typed = new OrtooError(
        'TooManyConnections',
        `At most ${limits.maxConnectionsPerPeer} connections from one address; reuse one (keep-alive)`,
        { detail: { maxConnectionsPerPeer: limits.maxConnectionsPerPeer } },
      );
      refused(typed.type);
      answer(res, typed);
      return;
    }
    bodyIdleTimeouts.set(req, limits.bodyIdleTimeoutMs);
    latest.set(req.socket, { req, res });
    app(req, res);
  };

  const server =
    options.tls === undefined
      ? http.createServer(serverOptions, guarded)
      : https.createServer(
          { ...options.tls, ...serverOptions, handshakeTimeout: limits.headersTimeoutMs },
          guarded,
        );
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;

  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    // A request still arriving whose answer has begun (say a 401 before its body was read) needs no second answer.
    const current = latest.get(socket);
    const answered = current !== undefined && !current.req.complete && current.res.headersSent;
    if (error.code === 'ECONNRESET' || error.code === 'EPIPE' || !socket.writable || answered) {
      socket.destroy();
      return;
    }
    const typed = clientErrorOf(error.code, limits);
    refused(typed.type);
    rawAnswer(socket, typed);
  });
  server.on('connect', (_req: IncomingMessage, socket: Duplex) => {
    const typed = new OrtooError('MethodNotAllowed', 'CONNECT is not served here: this is not a proxy');
    refused(typed.type);
    rawAnswer(socket, typed);
  });

  const perPeer = new Map<string, number>();
  server.on(options.tls === undefined ? 'connection' : 'secureConnection', (socket: Socket) => {
    const peer = socket.remoteAddress ?? '';
    const count = (perPeer.get(peer) ?? 0) + 1;
    perPeer.set(peer, count);
    if (limits.maxConnectionsPerPeer > 0 && count > limits.maxConnectionsPerPeer) overLimit.add(socket);
    socket.once('close', () => {
      const left = (perPeer.get(peer) ?? 1) - 1;
      if (left <= 0) perPeer.delete(peer);
      else perPeer.set(peer, left);
    });
  });
  return server;
}
