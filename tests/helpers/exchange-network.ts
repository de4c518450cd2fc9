/**
 * A small exchange network in one test process: a gateway (its store, trust
 * material, admin app and running router on real Redis), a consumer's
 * security server identity (e-Mongolia's `ss1`, calling as its `e-services`
 * subsystem) and one or more provider endpoints built from the core, all
 * registered in the gateway's registry.
 */
import { randomUUID } from 'node:crypto';
import https from 'node:https';
import type { Registry } from 'prom-client';
import {
  buildRequest,
  canonicalJson,
  createMetricsRegistry,
  parseServiceId,
  sha256,
  signMessage,
  type RequestEnvelope,
  type RequestParams,
  type SignedMessage,
  type SqlEngine,
  type SqlStore,
} from '../../core/src';
import { startExchangeRuntime, type ExchangeRuntime } from '../../gateway/src/exchange/exchange-runtime';
import { createRedisConnection, whenReady } from '../../gateway/src/redis';
import { insertAccessRight } from '../../gateway/src/registry/access-right-repository';
import { bumpRegistryVersion } from '../../gateway/src/registry/registry-version';
import { insertService, type ServiceSettings } from '../../gateway/src/registry/service-repository';
import type { GatewayTrust } from '../../gateway/src/trust/gateway-trust';
import { startGateway, type GatewayHarness } from './gateway-harness';
import { ProviderEndpoint } from './provider-endpoint';
import { seedStandardMembers, insertSubsystems, STANDARD_MEMBERS } from './registry-fixtures';
import { issueServerIdentity, type ServerIdentity } from './server-identity';

/** Redis of the tests. */
export const TEST_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** The consumer: e-Mongolia's e-services portal. */
export const CONSUMER = {
  serverId: `${STANDARD_MEMBERS.nation.id}/ss1`,
  client: `${STANDARD_MEMBERS.nation.id}/e-services`,
} as const;

/** The provider of {@link PERSON_SERVICE}: the civil registry. */
export const PROVIDER = {
  serverId: `${STANDARD_MEMBERS.registry.id}/ss1`,
  subsystem: `${STANDARD_MEMBERS.registry.id}/civil-registry`,
} as const;

/** The civil registry's person lookup, version v1. */
export const PERSON_SERVICE = `${PROVIDER.subsystem}/person`;

/** A citizen's register number: two Cyrillic letters and eight digits. */
export const PERSON_REQUEST_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  required: ['registerNumber'],
  additionalProperties: false,
  properties: { registerNumber: { type: 'string', pattern: '^[А-ЯЁӨҮ]{2}[0-9]{8}$' } },
} as const;

/** What the civil registry answers about a citizen. */
export const PERSON_RESPONSE_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  required: ['registerNumber', 'name'],
  properties: {
    registerNumber: { type: 'string' },
    name: { type: 'string' },
    birthDate: { type: 'string', format: 'date' },
  },
} as const;

/** Settings of a test service: the person schemas, a short timeout, quick retries. */
export function serviceSettings(overrides: Partial<ServiceSettings> = {}): ServiceSettings {
  return {
    title: 'Иргэний мэдээлэл',
    requestSchema: PERSON_REQUEST_SCHEMA as unknown as Record<string, unknown>,
    responseSchema: PERSON_RESPONSE_SCHEMA as unknown as Record<string, unknown>,
    requestSchemaHash: sha256(canonicalJson(PERSON_REQUEST_SCHEMA)),
    responseSchemaHash: sha256(canonicalJson(PERSON_RESPONSE_SCHEMA)),
    timeoutMs: 5000,
    retryPolicy: { maxAttempts: 3, backoffMs: 20 },
    idempotent: false,
    dataSubjectPointer: '/registerNumber',
    enabled: true,
    ...overrides,
  };
}

/** The civil registry's answer for a register number. */
export function personAnswer(registerNumber: string) {
  return { registerNumber, name: 'Бат-Эрдэнэ Должин', birthDate: '1999-01-01' };
}

/** An HTTP answer as the consumer's server sees it. */
export interface ExchangeAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: unknown;
}

/** Options of {@link startExchangeNetwork}. */
export interface ExchangeNetworkOptions {
  /** @defaultValue `'postgres'` */
  readonly engine?: SqlEngine;
  /** Settings of {@link PERSON_SERVICE} v1. */
  readonly service?: Partial<ServiceSettings>;
  /** Further gateway configuration. */
  readonly env?: Record<string, string>;
  /** Run the workers. @defaultValue true */
  readonly workers?: boolean;
}

/** A running network; {@link ExchangeNetwork.close} stops everything and removes its Redis keys. */
export interface ExchangeNetwork extends Omit<ConsumerClient, 'close'>, Omit<SeededNetwork, 'close'> {
  readonly gateway: GatewayHarness;
  readonly runtime: ExchangeRuntime;
  /** Base URL of the gateway's mTLS exchange listener. */
  readonly exchangeUrl: string;
  /** The Redis key prefix of this network. */
  readonly queuePrefix: string;
  /** The router's metrics. */
  readonly metrics: Registry;
  close(): Promise<void>;
}

/** A TLS client identity. */
export interface TlsIdentity {
  readonly certificatePem: string;
  readonly keyPem: string;
}

/** Sends one HTTPS request over `agent` and reads the answer, as JSON when it is JSON. */
export function httpsCall(
  agent: https.Agent,
  url: string,
  method: 'GET' | 'POST',
  body?: Buffer,
  headers: Record<string, string> = {},
): Promise<ExchangeAnswer> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method, agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown = text;
        try {
          parsed = text === '' ? undefined : JSON.parse(text);
        } catch {
          // not JSON: keep the text
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Removes every Redis key under `prefix`. */
export async function removeRedisKeys(prefix: string): Promise<void> {
  const redis = createRedisConnection(TEST_REDIS_URL, { purpose: 'command' });
  try {
    await whenReady(redis);
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** The consumer's side of a network: signs requests and calls the exchange listener over mutual TLS. */
export interface ConsumerClient {
  /** A request of the consumer, signed by its server; `params` override the person lookup. */
  sign(params?: Partial<RequestParams>, now?: Date): SignedMessage<RequestEnvelope>;
  /** POSTs `body` to `/v1/exchange` as the consumer's server (or as `as`). */
  post(body: unknown, options?: { prefer?: string; as?: TlsIdentity; raw?: Buffer }): Promise<ExchangeAnswer>;
  /** GETs a path of the exchange listener as the consumer's server (or as `as`). */
  get(path: string, as?: TlsIdentity): Promise<ExchangeAnswer>;
  /** Drops its keep-alive connections. */
  close(): void;
}

/** A consumer's server `consumer` calling the exchange listener at `exchangeUrl`. */
export function consumerClient(
  consumer: ServerIdentity,
  exchangeUrl: string,
  caPem: readonly string[],
): ConsumerClient {
  const agents = new Map<string, https.Agent>();
  const agentOf = (identity: TlsIdentity) => {
    let agent = agents.get(identity.certificatePem);
    if (agent === undefined) {
      agent = new https.Agent({
        keepAlive: true,
        cert: identity.certificatePem,
        key: identity.keyPem,
        ca: [...caPem],
      });
      agents.set(identity.certificatePem, agent);
    }
    return agent;
  };
  return {
    sign(params = {}, now) {
      const unsigned = buildRequest(
        {
          client: CONSUMER.client,
          service: PERSON_SERVICE,
          method: 'POST',
          body: { contentType: 'application/json', json: { registerNumber: 'УБ99010112' } },
          ...params,
        },
        now === undefined ? {} : { now },
      );
      return signMessage(unsigned, consumer.sign.signer);
    },
    post(body, postOptions = {}) {
      const raw = postOptions.raw ?? Buffer.from(JSON.stringify(body));
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (postOptions.prefer !== undefined) headers.prefer = postOptions.prefer;
      return httpsCall(
        agentOf(postOptions.as ?? consumer.auth),
        `${exchangeUrl}/v1/exchange`,
        'POST',
        raw,
        headers,
      );
    },
    get(path, as) {
      return httpsCall(agentOf(as ?? consumer.auth), `${exchangeUrl}${path}`, 'GET');
    },
    close() {
      for (const agent of agents.values()) agent.destroy();
    },
  };
}

/** The registry and the servers around a gateway, as {@link seedExchangeNetwork} leaves them. */
export interface SeededNetwork {
  readonly consumer: ServerIdentity;
  readonly provider: ProviderEndpoint;
  readonly providerIdentity: ServerIdentity;
  /** Starts another provider server, registered in the gateway. */
  addProvider(serverId: string): Promise<{ endpoint: ProviderEndpoint; identity: ServerIdentity }>;
  /** Stops the provider endpoints. */
  close(): Promise<void>;
}

/**
 * Fills a gateway's registry for an exchange: the standard members, the
 * consumer's and the provider's servers with their certificates (the
 * provider's endpoint started and registered at its address), the person
 * service (v1) with its schemas, and the consumer's access right to it.
 *
 * @param changed - called after each change, to tell a running router (`deps.globalConf.noteChange`).
 */
export async function seedExchangeNetwork(
  store: SqlStore,
  trust: GatewayTrust,
  options: { service?: Partial<ServiceSettings>; changed?: () => void } = {},
): Promise<SeededNetwork> {
  const changed = options.changed ?? (() => undefined);
  const endpoints: ProviderEndpoint[] = [];
  const close = async () => {
    await Promise.all(endpoints.map((endpoint) => endpoint.close()));
  };
  try {
    const caPem = [trust.ca.certificate.pem];
    await store.transaction(async (tx) => {
      await seedStandardMembers(tx);
      await insertSubsystems(tx, [CONSUMER.client, PROVIDER.subsystem]);
    });
    const consumer = await issueServerIdentity(trust, store, {
      serverId: CONSUMER.serverId,
      address: 'https://127.0.0.1:1',
    });
    const addProvider = async (serverId: string) => {
      const identity = await issueServerIdentity(trust, store, { serverId, address: 'https://127.0.0.1:1' });
      const endpoint = await ProviderEndpoint.start({
        identity,
        caPem,
        clientThumbprints: [trust.tls.certificate.thumbprint],
      });
      endpoints.push(endpoint);
      await store.query('UPDATE security_servers SET address = $2 WHERE id = $1', [
        serverId,
        endpoint.address,
      ]);
      await bumpRegistryVersion(store);
      changed();
      return { endpoint, identity };
    };
    const { endpoint: provider, identity: providerIdentity } = await addProvider(PROVIDER.serverId);
    provider.respond((request) => {
      const body = request.body as { registerNumber: string };
      return {
        status: 200,
        body: { contentType: 'application/json', json: personAnswer(body.registerNumber) },
      };
    });
    await store.transaction(async (tx) => {
      await insertService(tx, parseServiceId(PERSON_SERVICE), 'v1', serviceSettings(options.service));
      await insertAccessRight(tx, PERSON_SERVICE, { clientId: CONSUMER.client });
      await bumpRegistryVersion(tx);
    });
    changed();
    return { consumer, provider, providerIdentity, addProvider, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * Starts a network in this process: a gateway with its router running on
 * real Redis, and the servers of {@link seedExchangeNetwork}.
 */
export async function startExchangeNetwork(options: ExchangeNetworkOptions = {}): Promise<ExchangeNetwork> {
  const queuePrefix = `ortoo-test-${randomUUID()}`;
  const gateway = await startGateway(options.engine ?? 'postgres', {
    env: {
      ORTOO_QUEUE_PREFIX: queuePrefix,
      ORTOO_EXCHANGE_PORT: '0',
      REDIS_URL: TEST_REDIS_URL,
      ...options.env,
    },
  });
  const cleanups: (() => Promise<void> | void)[] = [
    () => gateway.close(),
    () => removeRedisKeys(queuePrefix),
  ];
  const close = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  };
  try {
    const { store, deps } = gateway;
    const seeded = await seedExchangeNetwork(store, deps.trust, {
      ...(options.service === undefined ? {} : { service: options.service }),
      changed: () => deps.globalConf.noteChange(),
    });
    cleanups.push(() => seeded.close());
    const metrics = createMetricsRegistry({ collectDefault: false });
    const runtime = await startExchangeRuntime(deps, {
      listen: true,
      workers: options.workers ?? true,
      metrics,
    });
    cleanups.push(() => runtime.close());
    const exchangeUrl = runtime.url as string;
    const client = consumerClient(seeded.consumer, exchangeUrl, [deps.trust.ca.certificate.pem]);
    cleanups.push(() => client.close());
    return {
      ...client,
      gateway,
      runtime,
      exchangeUrl,
      consumer: seeded.consumer,
      provider: seeded.provider,
      providerIdentity: seeded.providerIdentity,
      queuePrefix,
      metrics,
      addProvider: seeded.addProvider,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
