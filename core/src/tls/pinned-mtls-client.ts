import { createHash } from 'node:crypto';
import https from 'node:https';
import type { Socket } from 'node:net';
import { createSecureContext, type TLSSocket } from 'node:tls';
import { OrtooError } from '../errors';
import { readAnswerBody } from '../http/read-answer-body';
import { socketPeerThumbprint } from './mtls-server';

/** Options of {@link PinnedMtlsClient}. */
export interface PinnedMtlsClientOptions {
  /** PEM of this side's TLS certificate, presented as the client certificate. */
  readonly certificatePem: string;
  /** PEM private key of that certificate. */
  readonly keyPem: string;
  /** PEM of the CAs a peer's certificate must chain to: the instance CA, nothing else. */
  readonly caPem: readonly string[];
  /**
   * Connections open at once per peer (more requests wait for one).
   * @defaultValue no limit
   */
  readonly maxSockets?: number;
  /**
   * Idle connections kept open per peer for the next calls.
   * @defaultValue 16
   */
  readonly maxFreeSockets?: number;
  /**
   * TLS sessions kept to resume new connections with (an abbreviated
   * handshake, no certificate signing and checking again); 0 turns resumption off.
   * @defaultValue 100
   */
  readonly maxCachedSessions?: number;
}

/** One request of {@link PinnedMtlsClient.request}. */
export interface PinnedRequest {
  readonly method: 'GET' | 'POST';
  readonly url: URL;
  readonly headers: Readonly<Record<string, string | number>>;
  readonly body?: Buffer;
  /** Deadline of the whole call, connecting and reading the answer included. */
  readonly timeoutMs: number;
  /**
   * Why the peer that presented the certificate of this thumbprint is not
   * the one wanted, or undefined when it is: checked before anything is
   * written, on every request, also on a reused or resumed connection.
   * Whatever it returns or throws fails the request as it is.
   */
  readonly pin: (thumbprint: string | undefined) => OrtooError | undefined;
  /** Largest answer read; a longer one is `InvalidAnswer`. */
  readonly maxAnswerBytes: number;
  /** Names the peer in errors about its answer, e.g. `The gateway`. */
  readonly peer: string;
  /** Further detail of such errors. */
  readonly peerDetail?: Record<string, unknown>;
}

/** What came back over the wire, before it is judged. */
export interface RawAnswer {
  readonly status: number;
  readonly body: Buffer;
}

/**
 * The request got no answer: no connection, a reset, a refused handshake
 * (`timedOut` false), or its deadline passed (`timedOut` true). The caller
 * names it in its own terms (which peer, which error type).
 */
export class TransportFailure extends Error {
  override readonly name = 'TransportFailure';
  readonly timedOut: boolean;
  /** The system error's code (`ECONNREFUSED` …) or message. */
  readonly reason: string;

  constructor(timedOut: boolean, cause: unknown) {
    const reason = (cause as NodeJS.ErrnoException).code ?? (cause as Error).message;
    super(timedOut ? 'deadline passed' : reason, { cause });
    this.timedOut = timedOut;
    this.reason = reason;
  }
}

/** A pooled connection the peer had closed before the request went out: worth one more try. */
class StaleConnection extends Error {}

/** Sessions remembered with their peer's thumbprint, at most this many. */
const MAX_REMEMBERED_SESSIONS = 1000;

function sessionKey(session: Buffer): string {
  return createHash('sha256').update(session).digest('base64url');
}

/**
 * The one HTTPS client over mutual TLS between Örtöö's servers: the
 * gateway's towards security servers and a security server's towards the
 * gateway. It presents this side's certificate, accepts only peers whose
 * certificate chains to the instance CA, and pins the peer by certificate
 * thumbprint on every request (the caller's {@link PinnedRequest.pin}: the
 * host name is not checked, the exact certificate the signed configuration
 * lists is the stronger identity).
 *
 * **Connections** are kept alive and shared by all calls. A kept connection
 * the peer closes just as a request goes out on it (the keep-alive race) is
 * tried once more on a new one within the same deadline; like any retry, it
 * may bring a message twice, which message ids absorb.
 *
 * **TLS sessions are resumed** on new connections. A resumed session shows
 * the client no peer certificate, so each session is remembered with the
 * thumbprint of the certificate its full handshake verified (sessions of a
 * resumed connection inherit it), and a resumed connection is pinned by that.
 */
export class PinnedMtlsClient {
  readonly #agent: https.Agent;
  readonly #thumbprintBySession = new Map<string, string>();
  readonly #watched = new WeakSet<Socket>();

  constructor(options: PinnedMtlsClientOptions) {
    const identity = { cert: options.certificatePem, key: options.keyPem, ca: [...options.caPem] };
    this.#agent = new https.Agent({
      keepAlive: true,
      ...(options.maxSockets === undefined ? {} : { maxSockets: options.maxSockets }),
      maxFreeSockets: options.maxFreeSockets ?? 16,
      maxCachedSessions: options.maxCachedSessions ?? 100,
      ...identity,
      // Made once: otherwise every new connection parses the key and certificates again.
      secureContext: createSecureContext({ ...identity, minVersion: 'TLSv1.2' }),
      minVersion: 'TLSv1.2',
      rejectUnauthorized: true,
      // No host name check: the certificate is pinned per request instead (see the class comment).
      checkServerIdentity: () => undefined,
    });
  }

  /**
   * Sends one request and reads its answer, whatever its status.
   *
   * @throws TransportFailure when no answer came; the pin's refusal; OrtooError
   *   `InvalidAnswer` for an answer over the size limit.
   */
  async request(request: PinnedRequest): Promise<RawAnswer> {
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), request.timeoutMs);
    try {
      try {
        return await this.#send(request, deadline.signal);
      } catch (error) {
        if (!(error instanceof StaleConnection) || deadline.signal.aborted) throw error;
        return await this.#send(request, deadline.signal);
      }
    } catch (error) {
      if (deadline.signal.aborted) throw new TransportFailure(true, error);
      if (error instanceof OrtooError) throw error;
      throw new TransportFailure(false, error instanceof StaleConnection ? error.cause : error);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Closes every pooled connection; calls in flight fail. */
  close(): void {
    this.#agent.destroy();
  }

  /** One request on one connection: pinned, sent, its answer read within the size limit. */
  #send(request: PinnedRequest, signal: AbortSignal): Promise<RawAnswer> {
    return new Promise((resolve, reject) => {
      const { method, url, headers, body } = request;
      const req = https.request(url, { method, agent: this.#agent, signal, headers });
      let responded = false;
      req.on('error', (error: NodeJS.ErrnoException) => {
        // Node's advice for keep-alive: a reused socket the server has just closed resets.
        const stale = req.reusedSocket && !responded && error.code === 'ECONNRESET';
        reject(stale ? new StaleConnection(error.message, { cause: error }) : error);
      });
      req.once('socket', (socket: Socket) => {
        this.#watch(socket as TLSSocket);
        const send = () => {
          if (req.destroyed) return; // the deadline passed during the handshake
          let refusal: OrtooError | undefined;
          try {
            refusal = request.pin(this.#peerThumbprint(socket as TLSSocket));
          } catch (error) {
            refusal = error as OrtooError;
          }
          if (refusal === undefined) req.end(body);
          else req.destroy(refusal);
        };
        // A reused connection is past its handshake; a new one is checked once it is.
        if ((socket as TLSSocket).authorized) send();
        else socket.once('secureConnect', send);
      });
      req.once('response', (res) => {
        responded = true;
        readAnswerBody(res, request.maxAnswerBytes, request.peer, request.peerDetail).then(
          (answer) => resolve({ status: res.statusCode ?? 0, body: answer }),
          reject,
        );
      });
    });
  }

  /** The peer's thumbprint: from its certificate after a full handshake, from the session when resumed. */
  #peerThumbprint(socket: TLSSocket): string | undefined {
    if (!socket.isSessionReused()) return socketPeerThumbprint(socket);
    const session = socket.getSession();
    return session === undefined ? undefined : this.#thumbprintBySession.get(sessionKey(session));
  }

  /** Remembers the sessions a connection is given with its peer's thumbprint, for later resumption. */
  #watch(socket: TLSSocket): void {
    if (this.#watched.has(socket)) return;
    this.#watched.add(socket);
    socket.on('session', (session: Buffer) => {
      const thumbprint = socket.authorized ? this.#peerThumbprint(socket) : undefined;
      if (thumbprint === undefined) return;
      const sessions = this.#thumbprintBySession;
      if (sessions.size >= MAX_REMEMBERED_SESSIONS) {
        const oldest = sessions.keys().next();
        if (oldest.done !== true) sessions.delete(oldest.value);
      }
      sessions.set(sessionKey(session), thumbprint);
    });
  }
}
