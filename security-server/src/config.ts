import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { JSONSchemaType } from 'ajv/dist/2020';
import {
  OrtooError,
  formatMemberId,
  listenerConfigSchema,
  loadConfig,
  parseSecurityServerId,
  parseServiceId,
  parseSubsystemId,
  type ConfigProblem,
  type ListenerConfig,
} from '../../core/src';

/** One service this server provides, mapped to the backend that answers it. */
export interface ServiceMapping {
  /** `INSTANCE/CLASS/CODE/SUBSYSTEM/SERVICE`, a service of this server's member. */
  serviceId: string;
  /** The version this entry serves. @defaultValue every version without an entry of its own */
  version?: string;
  /** Base URL of the backend: a request for `/r1/<service>/a/b?q` becomes `<backendUrl>/a/b?q`. */
  backendUrl: string;
  /** How long the backend may take to answer. @defaultValue 30000 */
  timeoutMs: number;
}

/** One of the agency's own systems allowed to call through the client proxy. */
export interface LocalSystem {
  /** Unique name, shown in logs and in the message log. */
  name: string;
  /** SHA-256 (base64url, no padding) of its API key; see {@link hashApiKey}. */
  apiKeyHash?: string;
  /** SHA-256 thumbprint (base64url) of its TLS client certificate, when it calls over HTTPS. */
  certificateThumbprint?: string;
  /** The subsystems (`INSTANCE/CLASS/CODE/SUBSYSTEM`, of this server's member) it may act as. */
  clients: string[];
}

/**
 * A security server's configuration: `<server folder>/config.json`, written
 * by `ortoo ss init`, overridden by the environment (see the `x-env` names in
 * the schema), read once by {@link loadSecurityServerConfig}.
 */
export interface SecurityServerConfig {
  /** Instance code, e.g. `MN`; the instance of {@link SecurityServerConfig.serverId}. */
  instance: string;
  /** `INSTANCE/CLASS/CODE/SERVER`, e.g. `MN/GOV/7000001/ss1`. */
  serverId: string;
  gateway: {
    /** The gateway's admin listener: registration, global configuration, service schemas. */
    url: string;
    /** The gateway's mutual-TLS exchange listener (`https://…`). */
    exchangeUrl: string;
  };
  /** Where the agency's own systems call (plain HTTP). */
  clientProxy: {
    /** @defaultValue `127.0.0.1` */
    host: string;
    /** @defaultValue 8080 */
    port: number;
    /** Also listen on HTTPS here (the auth certificate), for local systems that authenticate by TLS certificate. @defaultValue none */
    tlsPort?: number;
  };
  /** Where the gateway delivers (mutual TLS). */
  providerProxy: {
    /** @defaultValue `127.0.0.1` */
    host: string;
    /** @defaultValue 5500 */
    port: number;
    /** The base URL the gateway reaches this listener at (`https://…`), registered with the gateway. */
    address: string;
  };
  /** PostgreSQL of the message log; PGlite in {@link SecurityServerConfig.dataDir} when absent. */
  databaseUrl?: string;
  /** PostgreSQL schema of the message log's tables. @defaultValue the server's `search_path` */
  databaseSchema?: string;
  /** PGlite's folder, absolute once loaded (a relative one is taken from the server folder). @defaultValue `<folder>/db` */
  dataDir: string;
  /** Largest request or answer body accepted. @defaultValue 10 MiB */
  bodyLimitBytes: number;
  services: ServiceMapping[];
  localSystems: LocalSystem[];
  messageLog: {
    /** Age after which messages are archived, then removed. @defaultValue 365 */
    retentionDays: number;
  };
  /** Seconds between fetches of the global configuration. @defaultValue 60 */
  globalConfRefreshSeconds: number;
  /** What the client and provider proxies allow a client: timeouts, connections per peer, JSON depth. */
  limits: ListenerConfig;
  /**
   * How far this server's clock may differ from the gateway's (seconds): a
   * global configuration is taken up to this early and used up to this late.
   * A larger skew shows in `/readyz` and `ortoo_clock_skew_seconds`; keep it
   * below the gateway's freshness window, which judges `issuedAt`.
   * @defaultValue 120
   */
  clockSkewToleranceSeconds: number;
  /** `error` … `silly`. @defaultValue `info` */
  logLevel: string;
}

/** The configuration file's name inside the server folder. */
export const CONFIG_FILE = 'config.json';

/** Defaults `ortoo ss init` and the schema share. */
export const SECURITY_SERVER_DEFAULTS = {
  clientHost: '127.0.0.1',
  clientPort: 8080,
  providerHost: '127.0.0.1',
  providerPort: 5500,
  dataDir: 'db',
  bodyLimitBytes: 10 * 1024 * 1024,
  serviceTimeoutMs: 30_000,
  retentionDays: 365,
  globalConfRefreshSeconds: 60,
  clockSkewToleranceSeconds: 120,
} as const;

/** A SHA-256 in base64url without padding, as API key hashes and certificate thumbprints are written. */
const SHA256_BASE64URL = '^[A-Za-z0-9_-]{43}$';
const PORT = { type: 'integer', minimum: 0, maximum: 65535 } as const;

/** The JSON Schema of `config.json`, with the environment variables that override each key. */
export const SECURITY_SERVER_CONFIG_SCHEMA: JSONSchemaType<SecurityServerConfig> = {
  type: 'object',
  required: [
    'instance',
    'serverId',
    'gateway',
    'clientProxy',
    'providerProxy',
    'dataDir',
    'bodyLimitBytes',
    'services',
    'localSystems',
    'messageLog',
    'globalConfRefreshSeconds',
    'limits',
    'clockSkewToleranceSeconds',
    'logLevel',
  ],
  properties: {
    instance: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,64}$' },
    serverId: { type: 'string', minLength: 1 },
    gateway: {
      type: 'object',
      required: ['url', 'exchangeUrl'],
      properties: {
        url: { type: 'string', minLength: 1, 'x-env': 'ORTOO_SS_GATEWAY_URL' },
        exchangeUrl: { type: 'string', minLength: 1, 'x-env': 'ORTOO_SS_EXCHANGE_URL' },
      },
    },
    clientProxy: {
      type: 'object',
      required: ['host', 'port'],
      properties: {
        host: {
          type: 'string',
          minLength: 1,
          default: SECURITY_SERVER_DEFAULTS.clientHost,
          'x-env': 'ORTOO_SS_CLIENT_HOST',
        },
        port: { ...PORT, default: SECURITY_SERVER_DEFAULTS.clientPort, 'x-env': 'ORTOO_SS_CLIENT_PORT' },
        tlsPort: { ...PORT, nullable: true, 'x-env': 'ORTOO_SS_CLIENT_TLS_PORT' },
      },
    },
    providerProxy: {
      type: 'object',
      required: ['host', 'port', 'address'],
      properties: {
        host: {
          type: 'string',
          minLength: 1,
          default: SECURITY_SERVER_DEFAULTS.providerHost,
          'x-env': 'ORTOO_SS_PROVIDER_HOST',
        },
        port: { ...PORT, default: SECURITY_SERVER_DEFAULTS.providerPort, 'x-env': 'ORTOO_SS_PROVIDER_PORT' },
        address: { type: 'string', minLength: 1, 'x-env': 'ORTOO_SS_PROVIDER_ADDRESS' },
      },
    },
    databaseUrl: { type: 'string', nullable: true, pattern: '^postgres(ql)?://', 'x-env': 'DATABASE_URL' },
    databaseSchema: {
      type: 'string',
      nullable: true,
      pattern: '^[a-z_][a-z0-9_]{0,62}$',
      'x-env': 'ORTOO_SS_DATABASE_SCHEMA',
    },
    dataDir: {
      type: 'string',
      minLength: 1,
      default: SECURITY_SERVER_DEFAULTS.dataDir,
      'x-env': 'ORTOO_SS_DATA_DIR',
    },
    bodyLimitBytes: {
      type: 'integer',
      minimum: 1024,
      maximum: 268435456,
      default: SECURITY_SERVER_DEFAULTS.bodyLimitBytes,
      'x-env': 'ORTOO_SS_BODY_LIMIT_BYTES',
    },
    services: {
      type: 'array',
      default: [],
      items: {
        type: 'object',
        required: ['serviceId', 'backendUrl', 'timeoutMs'],
        properties: {
          serviceId: { type: 'string', minLength: 1 },
          version: { type: 'string', nullable: true, pattern: '^(?!\\.+$)[A-Za-z0-9._-]{1,32}$' },
          backendUrl: { type: 'string', minLength: 1 },
          timeoutMs: {
            type: 'integer',
            minimum: 1,
            maximum: 600000,
            default: SECURITY_SERVER_DEFAULTS.serviceTimeoutMs,
          },
        },
      },
    },
    localSystems: {
      type: 'array',
      default: [],
      items: {
        type: 'object',
        required: ['name', 'clients'],
        properties: {
          name: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,64}$' },
          apiKeyHash: { type: 'string', nullable: true, pattern: SHA256_BASE64URL },
          certificateThumbprint: { type: 'string', nullable: true, pattern: SHA256_BASE64URL },
          clients: { type: 'array', minItems: 1, items: { type: 'string' } },
        },
      },
    },
    messageLog: {
      type: 'object',
      required: ['retentionDays'],
      properties: {
        retentionDays: {
          type: 'integer',
          minimum: 1,
          maximum: 36500,
          default: SECURITY_SERVER_DEFAULTS.retentionDays,
          'x-env': 'ORTOO_SS_MESSAGE_LOG_RETENTION_DAYS',
        },
      },
    },
    globalConfRefreshSeconds: {
      type: 'integer',
      minimum: 1,
      maximum: 3600,
      default: SECURITY_SERVER_DEFAULTS.globalConfRefreshSeconds,
      'x-env': 'ORTOO_SS_GLOBAL_CONF_REFRESH_SECONDS',
    },
    limits: listenerConfigSchema('ORTOO_SS_'),
    clockSkewToleranceSeconds: {
      type: 'integer',
      minimum: 0,
      maximum: 3600,
      default: SECURITY_SERVER_DEFAULTS.clockSkewToleranceSeconds,
      'x-env': 'ORTOO_SS_CLOCK_SKEW_TOLERANCE_SECONDS',
    },
    logLevel: {
      type: 'string',
      enum: ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'],
      default: 'info',
      'x-env': 'LOG_LEVEL',
    },
  },
};

/** Options of {@link loadSecurityServerConfig}. */
export interface LoadSecurityServerConfigOptions {
  /** The server folder (`ortoo ss init`); relative paths in the configuration are taken from it. */
  dir: string;
  /**
   * Where the `x-env` overrides are read from; pass `process.env` from the CLI.
   * @defaultValue `process.env`
   */
  env?: NodeJS.ProcessEnv;
  /**
   * The file to read instead of `<dir>/config.json` (to check an edited copy before it replaces the file).
   * @defaultValue `<dir>/config.json`
   */
  file?: string;
}

/**
 * Reads, validates and completes a security server's configuration: the
 * schema (types, ranges, unknown keys), then the rules that span keys: the
 * server id is of the instance; URLs are http(s) and the two mutual-TLS ones
 * https; each service is one of this server's member's and mapped once per
 * version; each local system has an API key hash or a certificate thumbprint
 * (neither shared with another system) and acts only as subsystems of this
 * server's member; the listeners do not share a port. `dataDir` comes back
 * absolute.
 *
 * @returns the configuration, deeply frozen.
 * @throws OrtooError `InvalidConfiguration` listing every problem, each
 *   naming the key (and its environment variable) and the fix;
 *   `detail.problems` has them as `ConfigProblem`s.
 */
export function loadSecurityServerConfig(options: LoadSecurityServerConfigOptions): SecurityServerConfig {
  const dir = path.resolve(options.dir);
  const file = options.file ?? path.join(dir, CONFIG_FILE);
  if (!existsSync(file)) {
    throw new OrtooError(
      'InvalidConfiguration',
      `Invalid configuration: ${file} missing: run \`ortoo ss init ${options.dir} …\` first`,
      { detail: { file } },
    );
  }
  let config: SecurityServerConfig;
  try {
    config = loadConfig(SECURITY_SERVER_CONFIG_SCHEMA, { env: options.env ?? process.env, file });
  } catch (error) {
    // Name the file: a server folder is not the only place an operator looks.
    if (error instanceof OrtooError && error.code === 'InvalidConfiguration') {
      throw new OrtooError('InvalidConfiguration', `${error.message} (in ${file})`, {
        detail: { ...(error.detail as object), file },
        cause: error.cause,
      });
    }
    throw error;
  }
  // `nullable` in the schema lets a file say `null` for an optional key: read it as absent.
  config = withoutNulls(config) as SecurityServerConfig;
  const problems = crossFieldProblems(config);
  if (problems.length > 0) {
    throw new OrtooError(
      'InvalidConfiguration',
      `Invalid configuration: ${problems.map((problem) => problem.message).join('; ')} (in ${file})`,
      { detail: { problems, file } },
    );
  }
  return deepFreeze({ ...config, dataDir: path.resolve(dir, config.dataDir) });
}

/** A copy without the keys whose value is `null`. */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, child]) => child !== null)
      .map(([key, child]) => [key, withoutNulls(child)]),
  );
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/**
 * The hash under which an API key is kept in `localSystems[].apiKeyHash`:
 * SHA-256 of its UTF-8 bytes, base64url without padding. The key itself is
 * never stored.
 */
export function hashApiKey(apiKey: string): string {
  return createHash('sha256').update(apiKey, 'utf8').digest('base64url');
}

/** `key (env VAR)` when the schema names an environment variable for the key. */
function label(key: string): string {
  let node: Record<string, unknown> | undefined = SECURITY_SERVER_CONFIG_SCHEMA as Record<string, unknown>;
  for (const segment of key.split('.')) {
    const properties = node?.properties as Record<string, Record<string, unknown>> | undefined;
    node = properties?.[segment];
  }
  const env = node?.['x-env'];
  return typeof env === 'string' ? `${key} (env ${env})` : key;
}

function problem(key: string, message: string): ConfigProblem {
  const labelled = label(key);
  const env = /\(env (\w+)\)$/.exec(labelled)?.[1];
  return env === undefined
    ? { key, message: `${labelled} ${message}` }
    : { key, env, message: `${labelled} ${message}` };
}

/** The reason an identifier parser gave, without the repetition of the value. */
function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Checks an URL's scheme; undefined when fine, else what is wrong. */
function urlProblem(value: string, schemes: readonly string[]): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `must be an absolute ${schemes.join(' or ')} URL, got ${JSON.stringify(value)}`;
  }
  if (!schemes.includes(url.protocol.slice(0, -1))) {
    return `must be ${schemes.map((scheme) => `${scheme}://`).join(' or ')}…, got ${JSON.stringify(value)}`;
  }
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    return `must be a base URL without credentials, query or fragment, got ${JSON.stringify(value)}`;
  }
  return undefined;
}

function crossFieldProblems(config: SecurityServerConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  let memberId: string | undefined;
  try {
    const server = parseSecurityServerId(config.serverId);
    memberId = formatMemberId(server);
    if (server.instance !== config.instance) {
      problems.push(
        problem(
          'serverId',
          `${JSON.stringify(config.serverId)} is not of instance ${JSON.stringify(config.instance)}: ` +
            'make serverId and instance agree',
        ),
      );
    }
  } catch (error) {
    problems.push(
      problem('serverId', `must be a security server id INSTANCE/CLASS/CODE/SERVER: ${reasonOf(error)}`),
    );
  }

  const urls: [string, string, readonly string[]][] = [
    ['gateway.url', config.gateway.url, ['http', 'https']],
    // Both ends of these are mutual TLS, so nothing else can work.
    ['gateway.exchangeUrl', config.gateway.exchangeUrl, ['https']],
    ['providerProxy.address', config.providerProxy.address, ['https']],
  ];
  for (const [key, value, schemes] of urls) {
    const wrong = urlProblem(value, schemes);
    if (wrong !== undefined) problems.push(problem(key, wrong));
  }

  const listeners: [string, number][] = [
    ['clientProxy.port', config.clientProxy.port],
    ['providerProxy.port', config.providerProxy.port],
    ...(config.clientProxy.tlsPort === undefined
      ? []
      : [['clientProxy.tlsPort', config.clientProxy.tlsPort] as [string, number]]),
  ];
  const hostOf = (key: string) =>
    key.startsWith('clientProxy') ? config.clientProxy.host : config.providerProxy.host;
  listeners.forEach(([key, port], index) => {
    // Port 0 asks the system for a free port: never a clash.
    const clash = listeners
      .slice(0, index)
      .find(([other, otherPort]) => port !== 0 && otherPort === port && hostOf(other) === hostOf(key));
    if (clash !== undefined) {
      problems.push(problem(key, `is ${port}, the same as ${clash[0]}: give each listener its own port`));
    }
  });

  const mapped = new Set<string>();
  config.services.forEach((service, index) => {
    const key = `services[${index}]`;
    try {
      const id = parseServiceId(service.serviceId);
      if (memberId !== undefined && formatMemberId(id) !== memberId) {
        problems.push(
          problem(
            `${key}.serviceId`,
            `${JSON.stringify(service.serviceId)} is not a service of ${memberId}: ` +
              "a security server provides only its own member's services",
          ),
        );
      }
    } catch (error) {
      problems.push(
        problem(
          `${key}.serviceId`,
          `must be a service id INSTANCE/CLASS/CODE/SUBSYSTEM/SERVICE: ${reasonOf(error)}`,
        ),
      );
    }
    const wrong = urlProblem(service.backendUrl, ['http', 'https']);
    if (wrong !== undefined) problems.push(problem(`${key}.backendUrl`, wrong));
    const mapping = `${service.serviceId} ${service.version ?? '(any version)'}`;
    if (mapped.has(mapping)) {
      problems.push(
        problem(
          key,
          `maps ${service.serviceId} ${service.version === undefined ? 'without a version' : `version ${service.version}`} ` +
            'a second time: keep one entry per service and version',
        ),
      );
    }
    mapped.add(mapping);
  });

  const names = new Set<string>();
  const credentials = new Map<string, string>();
  config.localSystems.forEach((system, index) => {
    const key = `localSystems[${index}]`;
    if (names.has(system.name)) {
      problems.push(problem(`${key}.name`, `${JSON.stringify(system.name)} is used twice: rename one`));
    }
    names.add(system.name);
    if (system.apiKeyHash === undefined && system.certificateThumbprint === undefined) {
      problems.push(
        problem(
          key,
          `(${system.name}) has neither apiKeyHash nor certificateThumbprint: ` +
            `give it an API key with \`ortoo ss api-key <dir> --name ${system.name} --client …\` ` +
            'or the thumbprint of its TLS client certificate',
        ),
      );
    }
    for (const field of ['apiKeyHash', 'certificateThumbprint'] as const) {
      const value = system[field];
      if (value === undefined) continue;
      const owner = credentials.get(`${field} ${value}`);
      if (owner !== undefined) {
        problems.push(
          problem(`${key}.${field}`, `is the same as ${owner}'s: each local system needs its own`),
        );
      }
      credentials.set(`${field} ${value}`, system.name);
    }
    system.clients.forEach((client, clientIndex) => {
      const clientKey = `${key}.clients[${clientIndex}]`;
      try {
        const id = parseSubsystemId(client);
        if (memberId !== undefined && formatMemberId(id) !== memberId) {
          problems.push(
            problem(
              clientKey,
              `${JSON.stringify(client)} is not a subsystem of ${memberId}: ` +
                "local systems act only as this server's member's subsystems",
            ),
          );
        }
      } catch (error) {
        problems.push(
          problem(clientKey, `must be a subsystem id INSTANCE/CLASS/CODE/SUBSYSTEM: ${reasonOf(error)}`),
        );
      }
    });
  });
  return problems;
}
