import type { JSONSchemaType } from 'ajv/dist/2020';
import {
  OrtooError,
  listenerConfigSchema,
  loadConfig,
  type ListenerConfig,
  type LoadConfigOptions,
} from '../../core/src';

/** The gateway's configuration, read once at start-up by {@link loadGatewayConfig}. */
export interface GatewayConfig {
  /** Instance code, the first part of every identifier, e.g. `MN`. */
  instance: string;
  http: {
    /** Address the admin API (and the console) listens on. @defaultValue `127.0.0.1` */
    host: string;
    port: number;
    /**
     * HTTPS on the admin listener: `off` (plain HTTP, for 127.0.0.1), `instance-ca`
     * (the gateway's TLS certificate, issued by the instance CA), or `files`
     * (the operator's certificate and key, `tlsCertFile` and `tlsKeyFile`).
     * @defaultValue `off`
     */
    tls: 'off' | 'instance-ca' | 'files';
    /** PEM certificate (chain) of the admin listener, with `tls: files`. */
    tlsCertFile?: string;
    /** PEM private key of the admin listener, with `tls: files`. */
    tlsKeyFile?: string;
  };
  /** PostgreSQL URL; PGlite in `dataDir` when absent. */
  databaseUrl?: string;
  /** Schema of the gateway's tables, so several deployments can share one database. @defaultValue the server's `search_path` */
  databaseSchema?: string;
  /** Folder of the PGlite database when no `databaseUrl` is given. */
  dataDir: string;
  /** Folder of the trust material (CA, signing and TLS keys). */
  certsDir: string;
  globalConf: {
    /** How long a signed global configuration stays valid. */
    validitySeconds: number;
  };
  registration: {
    /** How long a registration token can be used. */
    tokenValiditySeconds: number;
    /** Validity of the certificates issued on approval. */
    certificateValidityDays: number;
  };
  audit: {
    /** How often each writer signs the head of its chain when it moved. @defaultValue 10 */
    checkpointIntervalSeconds: number;
    /** Age after which records are archived to an evidence bundle, then removed. @defaultValue 365 */
    retentionDays: number;
    /** Cosignatures that make a tree head "witnessed". @defaultValue 1 */
    witnessQuorum: number;
  };
  /** Redis (one server or a Redis Cluster) for the delivery queues, replay ids, completions and console sessions. */
  redis: {
    /** `redis://…` or `rediss://…`; with `clusterNodes`, only its credentials and TLS count. @defaultValue `redis://127.0.0.1:6379` */
    url: string;
    /** Seed nodes (`host:port`) of a Redis Cluster; absent for a single server. */
    clusterNodes?: string[];
  };
  /** The mutual-TLS listener of `/v1/exchange`, for security servers. */
  exchange: {
    host: string;
    port: number;
    /** Largest signed message accepted. @defaultValue 10 MiB */
    bodyLimitBytes: number;
    /** How far a message's `issuedAt` may lie from the gateway's clock. @defaultValue 300 */
    freshnessSeconds: number;
    /** How long answers (and message ids, for status and replay checks) are kept. @defaultValue 86400 */
    answerRetentionSeconds: number;
    /** How often the routing table checks the registry for changes. @defaultValue 1000 */
    registryRefreshMs: number;
  };
  delivery: {
    /** Run delivery workers inside this process (else: `ortoo gateway worker`). @defaultValue true */
    workers: boolean;
    /** Deliveries in flight per provider server and process. @defaultValue 50 */
    concurrency: number;
    /** Most deliveries per second per provider server; 0 for no limit. @defaultValue 0 */
    ratePerSecond: number;
    /** Prefix of every Redis key the gateway writes. @defaultValue `ortoo` */
    queuePrefix: string;
    /**
     * How long a worker's hold on a delivery lasts unless renewed (every half
     * of it): a process that dies mid-delivery gives its deliveries back to
     * the other workers (or to itself, restarted) within this and one stall
     * check more. @defaultValue 5000
     */
    lockMs: number;
  };
  /** What every listener of the process (admin API, exchange listener, a worker's endpoints) allows a client. */
  limits: ListenerConfig;
  logLevel: string;
}

const schema: JSONSchemaType<GatewayConfig> = {
  type: 'object',
  required: [
    'instance',
    'http',
    'dataDir',
    'certsDir',
    'globalConf',
    'registration',
    'audit',
    'redis',
    'exchange',
    'delivery',
    'limits',
    'logLevel',
  ],
  properties: {
    instance: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,64}$', default: 'MN', 'x-env': 'ORTOO_INSTANCE' },
    http: {
      type: 'object',
      required: ['host', 'port', 'tls'],
      properties: {
        host: { type: 'string', minLength: 1, default: '127.0.0.1', 'x-env': 'ORTOO_GATEWAY_HOST' },
        port: { type: 'integer', minimum: 0, maximum: 65535, default: 4400, 'x-env': 'ORTOO_GATEWAY_PORT' },
        tls: {
          type: 'string',
          enum: ['off', 'instance-ca', 'files'],
          default: 'off',
          'x-env': 'ORTOO_GATEWAY_TLS',
        },
        tlsCertFile: { type: 'string', nullable: true, minLength: 1, 'x-env': 'ORTOO_GATEWAY_TLS_CERT' },
        tlsKeyFile: { type: 'string', nullable: true, minLength: 1, 'x-env': 'ORTOO_GATEWAY_TLS_KEY' },
      },
    },
    databaseUrl: { type: 'string', nullable: true, pattern: '^postgres(ql)?://', 'x-env': 'DATABASE_URL' },
    databaseSchema: {
      type: 'string',
      nullable: true,
      pattern: '^[a-z_][a-z0-9_]{0,62}$',
      'x-env': 'ORTOO_DATABASE_SCHEMA',
    },
    dataDir: { type: 'string', minLength: 1, default: 'var/gateway/db', 'x-env': 'ORTOO_GATEWAY_DATA_DIR' },
    certsDir: { type: 'string', minLength: 1, default: 'certs', 'x-env': 'ORTOO_CERTS_DIR' },
    globalConf: {
      type: 'object',
      required: ['validitySeconds'],
      properties: {
        validitySeconds: {
          type: 'integer',
          minimum: 30,
          maximum: 86400,
          default: 600,
          'x-env': 'ORTOO_GLOBAL_CONF_VALIDITY_SECONDS',
        },
      },
    },
    registration: {
      type: 'object',
      required: ['tokenValiditySeconds', 'certificateValidityDays'],
      properties: {
        tokenValiditySeconds: {
          type: 'integer',
          minimum: 60,
          default: 86400,
          'x-env': 'ORTOO_REGISTRATION_TOKEN_VALIDITY_SECONDS',
        },
        certificateValidityDays: {
          type: 'integer',
          minimum: 1,
          maximum: 3650,
          default: 365,
          'x-env': 'ORTOO_CERTIFICATE_VALIDITY_DAYS',
        },
      },
    },
    audit: {
      type: 'object',
      required: ['checkpointIntervalSeconds', 'retentionDays', 'witnessQuorum'],
      properties: {
        checkpointIntervalSeconds: {
          type: 'integer',
          minimum: 1,
          maximum: 3600,
          default: 10,
          'x-env': 'ORTOO_AUDIT_CHECKPOINT_INTERVAL_SECONDS',
        },
        retentionDays: {
          type: 'integer',
          minimum: 1,
          maximum: 36500,
          default: 365,
          'x-env': 'ORTOO_AUDIT_RETENTION_DAYS',
        },
        witnessQuorum: {
          type: 'integer',
          minimum: 0,
          maximum: 1000,
          default: 1,
          'x-env': 'ORTOO_AUDIT_WITNESS_QUORUM',
        },
      },
    },
    redis: {
      type: 'object',
      required: ['url'],
      properties: {
        url: {
          type: 'string',
          pattern: '^rediss?://',
          default: 'redis://127.0.0.1:6379',
          'x-env': 'REDIS_URL',
        },
        clusterNodes: {
          type: 'array',
          nullable: true,
          minItems: 1,
          items: { type: 'string', pattern: '^(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9.-]+):[0-9]{1,5}$' },
          'x-env': 'REDIS_CLUSTER_NODES',
        },
      },
    },
    exchange: {
      type: 'object',
      required: [
        'host',
        'port',
        'bodyLimitBytes',
        'freshnessSeconds',
        'answerRetentionSeconds',
        'registryRefreshMs',
      ],
      properties: {
        host: { type: 'string', minLength: 1, default: '127.0.0.1', 'x-env': 'ORTOO_EXCHANGE_HOST' },
        port: { type: 'integer', minimum: 0, maximum: 65535, default: 4443, 'x-env': 'ORTOO_EXCHANGE_PORT' },
        bodyLimitBytes: {
          type: 'integer',
          minimum: 1024,
          maximum: 268435456,
          default: 10485760,
          'x-env': 'ORTOO_EXCHANGE_BODY_LIMIT_BYTES',
        },
        freshnessSeconds: {
          type: 'integer',
          minimum: 1,
          maximum: 86400,
          default: 300,
          'x-env': 'ORTOO_EXCHANGE_FRESHNESS_SECONDS',
        },
        answerRetentionSeconds: {
          type: 'integer',
          minimum: 60,
          maximum: 31536000,
          default: 86400,
          'x-env': 'ORTOO_EXCHANGE_ANSWER_RETENTION_SECONDS',
        },
        registryRefreshMs: {
          type: 'integer',
          minimum: 50,
          maximum: 600000,
          default: 1000,
          'x-env': 'ORTOO_EXCHANGE_REGISTRY_REFRESH_MS',
        },
      },
    },
    delivery: {
      type: 'object',
      required: ['workers', 'concurrency', 'ratePerSecond', 'queuePrefix', 'lockMs'],
      properties: {
        workers: { type: 'boolean', default: true, 'x-env': 'ORTOO_DELIVERY_WORKERS' },
        concurrency: {
          type: 'integer',
          minimum: 1,
          maximum: 1000,
          default: 50,
          'x-env': 'ORTOO_DELIVERY_CONCURRENCY',
        },
        ratePerSecond: {
          type: 'integer',
          minimum: 0,
          default: 0,
          'x-env': 'ORTOO_DELIVERY_RATE_PER_SECOND',
        },
        queuePrefix: {
          type: 'string',
          pattern: '^[A-Za-z0-9._-]{1,64}$',
          default: 'ortoo',
          'x-env': 'ORTOO_QUEUE_PREFIX',
        },
        lockMs: {
          type: 'integer',
          minimum: 1000,
          maximum: 600000,
          default: 5000,
          'x-env': 'ORTOO_DELIVERY_LOCK_MS',
        },
      },
    },
    limits: listenerConfigSchema('ORTOO_'),
    logLevel: {
      type: 'string',
      enum: ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'],
      default: 'info',
      'x-env': 'LOG_LEVEL',
    },
  },
};

/** Reads and validates the gateway's configuration from the environment and an optional JSON file. */
export function loadGatewayConfig(options: LoadConfigOptions): GatewayConfig {
  const config = loadConfig(schema, options);
  const { tls, tlsCertFile, tlsKeyFile } = config.http;
  if (tls === 'files' && (tlsCertFile === undefined || tlsKeyFile === undefined)) {
    throw new OrtooError(
      'InvalidConfiguration',
      'ORTOO_GATEWAY_TLS=files needs the certificate and key: ORTOO_GATEWAY_TLS_CERT and ORTOO_GATEWAY_TLS_KEY',
    );
  }
  return config;
}
