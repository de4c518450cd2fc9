/**
 * What the provider proxy's integration tests share: a message log on a
 * fresh PostgreSQL schema, a configuration, the proxy served over mutual TLS
 * on 127.0.0.1, a caller presenting a TLS certificate (the gateway's or
 * another one), and a programmable backend on a free port.
 */
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import {
  DEFAULT_LISTENER_CONFIG,
  createLogger,
  createMetricsRegistry,
  createMtlsServer,
  loadMigrations,
  migrate,
  type GlobalConf,
  type JwsSigner,
  type Logger,
  type SqlStore,
} from '../../../core/src';
import { ConfHolder } from '../../../security-server/src/conf-holder';
import type { SecurityServerConfig, ServiceMapping } from '../../../security-server/src/config';
import type { SecurityServerDeps, ServerIdentity } from '../../../security-server/src/deps';
import { MessageLog } from '../../../security-server/src/message-log/message-log';
import { BackendClient } from '../../../security-server/src/provider-proxy/backend-client';
import { createProviderProxyApp } from '../../../security-server/src/provider-proxy/provider-proxy-app';
import { httpsCall } from '../../helpers/exchange-network';
import { postgresEngine } from '../../helpers/store-engines';

/** A quiet logger. */
export function quietLogger(): Logger {
  return createLogger({ service: 'provider-test', level: 'error', stream: new PassThrough() });
}

/** A message log on a schema of its own; `close` signs its last checkpoint and drops the schema. */
export async function openTestMessageLog(
  signer: JwsSigner,
  logger: Logger,
): Promise<{ messageLog: MessageLog; store: SqlStore; close(): Promise<void> }> {
  const engine = postgresEngine();
  const store = await engine.openIsolated();
  try {
    const dir = path.resolve(__dirname, '../../../security-server/migrations/message-log');
    await migrate(store, await loadMigrations(dir), { scope: 'message-log' });
    const messageLog = MessageLog.open({ store, signer, logger });
    return {
      messageLog,
      store,
      async close() {
        try {
          await messageLog.close();
        } finally {
          await engine.cleanup();
        }
      },
    };
  } catch (error) {
    await engine.cleanup();
    throw error;
  }
}

/** How many records of message `id` the log holds, by direction and kind (`received request: 1`). */
export async function loggedCounts(store: SqlStore, id: string): Promise<Record<string, number>> {
  const rows = await store.query<{ direction: string; kind: string; n: number }>(
    'SELECT direction, kind, count(*)::int AS n FROM message_log WHERE message_id = $1 GROUP BY direction, kind',
    [id],
  );
  return Object.fromEntries(rows.map((row) => [`${row.direction} ${row.kind}`, row.n]));
}

/** A security server configuration with the given services; nothing in it listens. */
export function testConfig(
  serverId: string,
  services: ServiceMapping[],
  overrides: Partial<SecurityServerConfig> = {},
): SecurityServerConfig {
  return {
    instance: serverId.split('/')[0] ?? 'MN',
    serverId,
    gateway: { url: 'http://127.0.0.1:1', exchangeUrl: 'https://127.0.0.1:1' },
    clientProxy: { host: '127.0.0.1', port: 0 },
    providerProxy: { host: '127.0.0.1', port: 0, address: 'https://127.0.0.1:1' },
    dataDir: '/nonexistent',
    bodyLimitBytes: 10 * 1024 * 1024,
    services,
    localSystems: [],
    messageLog: { retentionDays: 365 },
    globalConfRefreshSeconds: 60,
    limits: { ...DEFAULT_LISTENER_CONFIG },
    clockSkewToleranceSeconds: 120,
    logLevel: 'error',
    ...overrides,
  };
}

/** What {@link providerDeps} needs beside the message log. */
export interface ProviderDepsParams {
  readonly config: SecurityServerConfig;
  readonly identity: ServerIdentity;
  /** The global configuration the proxy checks against; read on every request. */
  readonly conf: () => GlobalConf;
  readonly messageLog: MessageLog;
  readonly logger: Logger;
  readonly clock?: () => Date;
}

/** The security server's dependencies for a provider proxy under test. */
export function providerDeps(params: ProviderDepsParams): SecurityServerDeps {
  return {
    config: params.config,
    identity: params.identity,
    conf: new ConfHolder({ current: params.conf, refresh: () => Promise.resolve('not-modified' as const) }),
    messageLog: params.messageLog,
    logger: params.logger,
    metrics: createMetricsRegistry({ collectDefault: false }),
    clock: params.clock ?? (() => new Date()),
  };
}

/** A provider proxy listening with mutual TLS on 127.0.0.1. */
export interface RunningProviderProxy {
  /** `https://127.0.0.1:<port>`. */
  readonly url: string;
  readonly deps: SecurityServerDeps;
  close(): Promise<void>;
}

/** Serves {@link createProviderProxyApp} over mutual TLS with the server's auth certificate. */
export async function startProviderProxy(deps: SecurityServerDeps): Promise<RunningProviderProxy> {
  const backend = new BackendClient({ maxAnswerBytes: deps.config.bodyLimitBytes });
  const server = createMtlsServer(createProviderProxyApp(deps, { backend }), {
    certificatePem: deps.identity.tls.certificatePem,
    keyPem: deps.identity.tls.keyPem,
    caPem: deps.identity.caPem,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    deps,
    async close() {
      backend.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

/** An HTTP answer, its body parsed when it is JSON. */
export interface CallAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: unknown;
}

/** A mutual-TLS client presenting one certificate, like the gateway's provider client. */
export class TlsCaller {
  readonly #agent: https.Agent;

  constructor(tls: { readonly certificatePem: string; readonly keyPem: string }, caPem: readonly string[]) {
    this.#agent = new https.Agent({
      keepAlive: true,
      cert: tls.certificatePem,
      key: tls.keyPem,
      ca: [...caPem],
      maxCachedSessions: 0,
    });
  }

  /** POSTs `body` (JSON, or the raw bytes given) to `url`. */
  post(url: string, body: unknown, raw?: Buffer): Promise<CallAnswer> {
    const payload = raw ?? Buffer.from(JSON.stringify(body));
    return httpsCall(this.#agent, url, 'POST', payload, {
      'content-type': 'application/json',
      'content-length': String(payload.length),
    });
  }

  close(): void {
    this.#agent.destroy();
  }
}

/** A request as the backend received it. */
export interface BackendHit {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** How the test backend answers one request. */
export type BackendHandler = (hit: BackendHit, res: ServerResponse) => void | Promise<void>;

/** A backend on 127.0.0.1 that records what it gets and answers as the test programs it. */
export class TestBackend {
  readonly hits: BackendHit[] = [];
  #handler: BackendHandler = (_hit, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  };
  readonly #server: http.Server;
  readonly #timers = new Set<NodeJS.Timeout>();
  #port = 0;

  private constructor() {
    this.#server = http.createServer((req, res) => void this.#handle(req, res));
  }

  static async start(): Promise<TestBackend> {
    const backend = new TestBackend();
    await backend.resume();
    return backend;
  }

  /** Its base URL, with a base path below which services live. */
  get url(): string {
    return `http://127.0.0.1:${this.#port}/api`;
  }

  /** Stops listening (calls are refused, as by a backend that is down) until {@link resume}. */
  async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
    await closed;
  }

  /** Listens again, on the same port (a free one the first time). */
  async resume(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.listen(this.#port, '127.0.0.1', () => resolve()));
    this.#port = (this.#server.address() as AddressInfo).port;
  }

  /** Answers with `handler` from now on. */
  handle(handler: BackendHandler): this {
    this.#handler = handler;
    return this;
  }

  /** Waits `ms`, unless the backend is closed first. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        resolve();
      }, ms);
      this.#timers.add(timer);
    });
  }

  async close(): Promise<void> {
    for (const timer of this.#timers) clearTimeout(timer);
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
    await closed;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
    const hit = {
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      body: Buffer.concat(chunks),
    };
    this.hits.push(hit);
    try {
      await this.#handler(hit, res);
    } catch (error) {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
    }
  }
}

/** A port nothing listens on (one that was just free). */
export async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
