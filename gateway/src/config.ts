import type { JSONSchemaType } from 'ajv/dist/2020';
import { loadConfig, type LoadConfigOptions } from '../../core/src';

/** The gateway's configuration, read once at start-up by {@link loadGatewayConfig}. */
export interface GatewayConfig {
  /** Instance code, the first part of every identifier, e.g. `MN`. */
  instance: string;
  http: {
    /** Address the admin API listens on. */
    host: string;
    port: number;
  };
  /** PostgreSQL URL; PGlite in `dataDir` when absent. */
  databaseUrl?: string;
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
  };
  logLevel: string;
}

const schema: JSONSchemaType<GatewayConfig> = {
  type: 'object',
  required: ['instance', 'http', 'dataDir', 'certsDir', 'globalConf', 'registration', 'audit', 'logLevel'],
  properties: {
    instance: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,64}$', default: 'MN', 'x-env': 'ORTOO_INSTANCE' },
    http: {
      type: 'object',
      required: ['host', 'port'],
      properties: {
        host: { type: 'string', minLength: 1, default: '127.0.0.1', 'x-env': 'ORTOO_GATEWAY_HOST' },
        port: { type: 'integer', minimum: 0, maximum: 65535, default: 4400, 'x-env': 'ORTOO_GATEWAY_PORT' },
      },
    },
    databaseUrl: { type: 'string', nullable: true, pattern: '^postgres(ql)?://', 'x-env': 'DATABASE_URL' },
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
      required: ['checkpointIntervalSeconds', 'retentionDays'],
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
      },
    },
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
  return loadConfig(schema, options);
}
