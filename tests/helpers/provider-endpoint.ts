/**
 * A provider's security server built from the core, for the gateway's tests
 * and benchmark until the real one (issue 6) exists: an HTTPS listener on
 * 127.0.0.1 speaking mutual TLS with its `auth` certificate and letting in
 * only the clients it is told (the gateway's TLS certificate), answering
 * `POST /v1/deliver` with a `ResponseEnvelope` signed with its `sign`
 * certificate, and taking answers at `POST /v1/answers` as a consumer's
 * server does. It does not verify the requests it gets (the gateway did).
 *
 * What it answers is programmed per test (`respond`, `failTimes`,
 * `alwaysFail`, `delay`, `badSignature`, `wrongRequestHash`), and `stop` and
 * `start` take it down and up again on the same port. Failures are counted
 * across all requests, in order of arrival.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import {
  buildResponse,
  signMessage,
  type GlobalConfSecurityServer,
  type MessageBody,
  type RequestEnvelope,
  type ResponseEnvelope,
  type SignedMessage,
  createMtlsServer,
  peerThumbprint,
} from '../../core/src';
import type { ServerIdentity } from './server-identity';

/** What the provider's backend answers to one request. */
export interface ProviderReply {
  /** The backend's HTTP status, carried in the signed envelope; the HTTP answer is 200. */
  readonly status: number;
  /** @defaultValue no body */
  readonly body?: MessageBody;
  /** Allow-listed headers, names in lower case. @defaultValue `{}` */
  readonly headers?: Readonly<Record<string, string>>;
}

/** Answers a request, as the provider's backend would. */
export type ProviderResponder = (
  request: SignedMessage<RequestEnvelope>,
) => ProviderReply | Promise<ProviderReply>;

/** Options of {@link ProviderEndpoint.start}. */
export interface ProviderEndpointOptions {
  /** The server's identity: TLS with `auth`, answers signed with `sign`. */
  readonly identity: ServerIdentity;
  /** PEM of the CA client certificates must chain to: the gateway's instance CA. */
  readonly caPem: readonly string[];
  /** `x5t#S256` of the client certificates let in (the gateway's TLS certificate); others get 403. */
  readonly clientThumbprints: readonly string[];
}

/** The default answer: 200 with a JSON body in Mongolian, echoing the request's body. */
export const echoResponder: ProviderResponder = (request) => ({
  status: 200,
  body: {
    contentType: 'application/json',
    json: { id: request.envelope.id, answer: 'Иргэний мэдээлэл олдлоо', echo: request.body ?? null },
  },
});

/** Largest request read: above the gateway's own 10 MiB limit, so the gateway's limit is what tests see. */
const MAX_REQUEST_BYTES = 20 * 1024 * 1024;

/** A failure answered instead of the backend's answer. */
interface Failure {
  readonly status: number;
  readonly type?: string;
}

/** A test double of a provider's (or consumer's) security server. */
export class ProviderEndpoint {
  /** Message ids of every `POST /v1/deliver` that arrived, failed ones included, in order. */
  readonly received: string[] = [];
  /** Every answer `POST /v1/answers` brought, in order. */
  readonly callbacks: SignedMessage<ResponseEnvelope>[] = [];
  /** TLS connections accepted, across restarts: tells whether callers reuse their connections. */
  connections = 0;

  readonly #options: ProviderEndpointOptions;
  readonly #clients: ReadonlySet<string>;
  readonly #sleeps = new Set<{ timer: NodeJS.Timeout; wake: () => void }>();
  #server: Server | undefined;
  #port = 0;
  #responder: ProviderResponder = echoResponder;
  #failures: { remaining: number; failure: Failure } | undefined;
  #callbackFailures: { remaining: number; failure: Failure } | undefined;
  #delayMs = 0;
  #badSignature = false;
  #wrongRequestHash = false;

  private constructor(options: ProviderEndpointOptions) {
    this.#options = options;
    this.#clients = new Set(options.clientThumbprints);
  }

  /** Starts an endpoint listening on a free port of 127.0.0.1. */
  static async start(options: ProviderEndpointOptions): Promise<ProviderEndpoint> {
    const endpoint = new ProviderEndpoint(options);
    await endpoint.start();
    return endpoint;
  }

  /** The port, the same across `stop` and `start`. */
  get port(): number {
    return this.#port;
  }

  /** Its base URL, the address to register. */
  get address(): string {
    return `https://127.0.0.1:${this.#port}`;
  }

  /** The server as the global configuration describes it once registered, for tests without a registry. */
  get globalConfServer(): GlobalConfSecurityServer {
    const { serverId, memberId, auth } = this.#options.identity;
    return {
      id: serverId,
      ownerId: memberId,
      address: this.address,
      status: 'active',
      authCertificates: [
        { thumbprint: auth.thumbprint, serial: auth.certificate.serialNumber, pem: auth.certificatePem },
      ],
    };
  }

  /** Answers with `responder` from now on (and after any programmed failures). */
  respond(responder: ProviderResponder): this {
    this.#responder = responder;
    return this;
  }

  /**
   * Fails the next `times` deliveries with `status`, then answers again: with
   * the Örtöö error body `{type, message}` when `type` is given, with a plain
   * text body (as a proxy in front would) when not.
   */
  failTimes(times: number, status: number, type?: string): this {
    this.#failures = { remaining: times, failure: { status, type } };
    return this;
  }

  /** Fails every delivery from now on, as {@link failTimes} does, until {@link reset}. */
  alwaysFail(status: number, type?: string): this {
    return this.failTimes(Number.POSITIVE_INFINITY, status, type);
  }

  /** Fails the next `times` callbacks (`POST /v1/answers`) with `status` (a plain text body). */
  failCallbackTimes(times: number, status: number): this {
    this.#callbackFailures = { remaining: times, failure: { status } };
    return this;
  }

  /** Waits `ms` before answering each delivery, failures included. */
  delay(ms: number): this {
    this.#delayMs = ms;
    return this;
  }

  /** Answers with a signature that does not verify. */
  badSignature(on = true): this {
    this.#badSignature = on;
    return this;
  }

  /** Answers bound (by `requestHash`) to another request than the one asked. */
  wrongRequestHash(on = true): this {
    this.#wrongRequestHash = on;
    return this;
  }

  /** Back to answering every delivery at once with {@link echoResponder}, signed right. */
  reset(): this {
    this.#responder = echoResponder;
    this.#failures = undefined;
    this.#callbackFailures = undefined;
    this.#delayMs = 0;
    this.#badSignature = false;
    this.#wrongRequestHash = false;
    return this;
  }

  /** Listens again, on the same port as before (a free one the first time). */
  async start(): Promise<void> {
    if (this.#server !== undefined) return;
    const { identity, caPem } = this.#options;
    const server = createMtlsServer(
      (req, res) => {
        void this.#handle(req, res);
      },
      { certificatePem: identity.auth.certificatePem, keyPem: identity.auth.keyPem, caPem },
    );
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('secureConnection', () => {
      this.connections += 1;
    });
    this.#port = (server.address() as AddressInfo).port;
    this.#server = server;
  }

  /**
   * Stops listening and drops every connection, as a server going down does:
   * callers then get their connections refused. A delivery being answered
   * meanwhile is cut off (it stays in {@link received}).
   */
  async stop(): Promise<void> {
    const server = this.#server;
    if (server === undefined) return;
    this.#server = undefined;
    for (const sleep of this.#sleeps) {
      clearTimeout(sleep.timer);
      sleep.wake();
    }
    this.#sleeps.clear();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }

  /** Stops it for good. */
  async close(): Promise<void> {
    await this.stop();
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      if (!this.#clients.has(peerThumbprint(req) ?? '')) {
        sendError(res, 403, 'Client.Forbidden', 'Only the gateway may call this server');
        return;
      }
      const route = `${req.method} ${req.url}`;
      if (route !== 'POST /v1/deliver' && route !== 'POST /v1/answers') {
        sendError(res, 404, 'Client.NotFound', `No route ${route}`);
        return;
      }
      const message = parseMessage(await readRequest(req));
      if (message === undefined) {
        sendError(res, 400, 'Client.InvalidEnvelope', 'Not a signed message');
        return;
      }
      if (route === 'POST /v1/answers') this.#takeCallback(message as SignedMessage<ResponseEnvelope>, res);
      else await this.#deliver(message as SignedMessage<RequestEnvelope>, res);
    } catch (error) {
      if (!res.headersSent) {
        sendError(res, 500, 'Server.ServerProxy.InternalError', (error as Error).message);
      }
    }
  }

  #takeCallback(answer: SignedMessage<ResponseEnvelope>, res: ServerResponse): void {
    this.callbacks.push(answer);
    const failure = take(this.#callbackFailures);
    if (failure !== undefined) sendError(res, failure.status);
    else res.writeHead(204).end();
  }

  async #deliver(request: SignedMessage<RequestEnvelope>, res: ServerResponse): Promise<void> {
    this.received.push(request.envelope.id);
    if (this.#delayMs > 0) await this.#sleep(this.#delayMs);
    if (res.socket?.destroyed !== false) return; // stopped meanwhile
    const failure = take(this.#failures);
    if (failure !== undefined) {
      sendError(res, failure.status, failure.type, 'Programmed failure');
      return;
    }
    const reply = await this.#responder(request);
    // Any change to the request envelope changes its hash, so the answer is bound to another request.
    const boundTo = this.#wrongRequestHash
      ? { ...request.envelope, nonce: 'another-request' }
      : request.envelope;
    const signed = signMessage(buildResponse(boundTo, reply), this.#options.identity.sign.signer);
    const answer = this.#badSignature ? withBrokenSignature(signed) : signed;
    const bytes = Buffer.from(JSON.stringify(answer));
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': bytes.length }).end(bytes);
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const sleep = {
        timer: setTimeout(() => {
          this.#sleeps.delete(sleep);
          resolve();
        }, ms),
        wake: resolve,
      };
      this.#sleeps.add(sleep);
    });
  }
}

/** The next programmed failure, counting it down; undefined when none is left. */
function take(program: { remaining: number; failure: Failure } | undefined): Failure | undefined {
  if (program === undefined || program.remaining <= 0) return undefined;
  program.remaining -= 1;
  return program.failure;
}

/** An Örtöö error answer when `type` is given, else the plain text a proxy sends. */
function sendError(res: ServerResponse, status: number, type?: string, message = 'Failed'): void {
  if (type === undefined) {
    res.writeHead(status, { 'content-type': 'text/plain' }).end(`${status} ${message}`);
    return;
  }
  const bytes = Buffer.from(JSON.stringify({ type, message }));
  res
    .writeHead(status, {
      'content-type': 'application/json',
      'content-length': bytes.length,
      'x-road-error': type,
    })
    .end(bytes);
}

async function readRequest(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_REQUEST_BYTES) throw new Error('Request too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

/** The message when it looks like one (an object with an envelope naming an id); undefined otherwise. */
function parseMessage(bytes: Buffer): SignedMessage | undefined {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
  const envelope = (value as { envelope?: { id?: unknown } } | null)?.envelope;
  return typeof envelope?.id === 'string' ? (value as SignedMessage) : undefined;
}

/** The same message with one signature byte flipped. */
function withBrokenSignature<E extends ResponseEnvelope>(message: SignedMessage<E>): SignedMessage<E> {
  const bytes = Buffer.from(message.signature.signature, 'base64url');
  bytes[bytes.length >> 1] = (bytes[bytes.length >> 1] ?? 0) ^ 0xff;
  return { ...message, signature: { ...message.signature, signature: bytes.toString('base64url') } };
}
