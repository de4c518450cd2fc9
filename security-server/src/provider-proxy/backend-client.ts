import http from 'node:http';
import https from 'node:https';
import { OrtooError, readAnswerBody } from '../../../core/src';
import type { BackendResponse } from './backend-answer';
import type { BackendRequest } from './backend-request';

/** Options of {@link BackendClient}. */
export interface BackendClientOptions {
  /**
   * Largest answer read, in bytes; a longer one is `InvalidAnswer`.
   * @defaultValue 10 MiB
   */
  readonly maxAnswerBytes?: number;
  /**
   * Idle connections kept open per backend for the next calls.
   * @defaultValue `16`
   */
  readonly keepAliveSockets?: number;
}

const DEFAULT_MAX_ANSWER_BYTES = 10 * 1024 * 1024;
const DEFAULT_KEEP_ALIVE_SOCKETS = 16;

/** A pooled connection the backend had closed before the request went out: worth one more try. */
class StaleConnection extends Error {}

/**
 * The provider proxy's HTTP client towards the agency's own backends (plain
 * HTTP or HTTPS with the system's trust store), with keep-alive connections.
 *
 * Failures are OrtooErrors the gateway can tell apart:
 * - no connection, refused, reset, closed mid-answer → `BackendUnavailable`
 *   (503, transient: the gateway retries);
 * - the deadline passing, connecting and reading the answer included →
 *   `BackendTimeout` (504, transient);
 * - an answer over `maxAnswerBytes` → `InvalidAnswer` (502, permanent).
 *
 * Any HTTP status the backend answers with is an answer, not a failure.
 * Details name no backend URL: they travel to the consumer; the URL is for
 * this server's log.
 */
export class BackendClient {
  readonly #http: http.Agent;
  readonly #https: https.Agent;
  readonly #maxAnswerBytes: number;

  constructor(options: BackendClientOptions = {}) {
    this.#maxAnswerBytes = options.maxAnswerBytes ?? DEFAULT_MAX_ANSWER_BYTES;
    const maxFreeSockets = options.keepAliveSockets ?? DEFAULT_KEEP_ALIVE_SOCKETS;
    this.#http = new http.Agent({ keepAlive: true, maxFreeSockets });
    this.#https = new https.Agent({ keepAlive: true, maxFreeSockets });
  }

  /**
   * Sends `request` and reads the whole answer within `timeoutMs`.
   *
   * @throws OrtooError as listed on the class.
   */
  async call(request: BackendRequest, timeoutMs: number): Promise<BackendResponse> {
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), timeoutMs);
    try {
      try {
        return await this.#send(request, deadline.signal);
      } catch (error) {
        // The keep-alive race: the backend closed an idle connection as the request went
        // out on it. The request never reached it, so one more try on a new one is safe.
        if (!(error instanceof StaleConnection) || deadline.signal.aborted) throw error;
        return await this.#send(request, deadline.signal);
      }
    } catch (error) {
      throw failure(error, deadline.signal.aborted, timeoutMs);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Closes every pooled connection; calls in flight fail. */
  close(): void {
    this.#http.destroy();
    this.#https.destroy();
  }

  #send(request: BackendRequest, signal: AbortSignal): Promise<BackendResponse> {
    return new Promise((resolve, reject) => {
      const secure = request.url.protocol === 'https:';
      const options = { method: request.method, headers: request.headers, signal };
      const req = secure
        ? https.request(request.url, { ...options, agent: this.#https })
        : http.request(request.url, { ...options, agent: this.#http });
      let responded = false;
      req.on('error', (error: NodeJS.ErrnoException) => {
        const stale = req.reusedSocket && !responded && error.code === 'ECONNRESET';
        reject(stale ? new StaleConnection(error.message, { cause: error }) : error);
      });
      req.once('response', (res) => {
        responded = true;
        readAnswerBody(res, this.#maxAnswerBytes, 'Backend').then(
          (body) => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }),
          reject,
        );
      });
      req.end(request.body);
    });
  }
}

/** What went wrong, as the OrtooError the gateway acts on. */
function failure(error: unknown, timedOut: boolean, timeoutMs: number): OrtooError {
  if (timedOut) {
    return new OrtooError('BackendTimeout', `Backend did not answer in ${timeoutMs} ms`, {
      detail: { timeoutMs },
      cause: error,
    });
  }
  if (error instanceof OrtooError) return error;
  const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
  return new OrtooError('BackendUnavailable', 'Backend cannot be reached', {
    detail: { reason },
    cause: error,
  });
}
