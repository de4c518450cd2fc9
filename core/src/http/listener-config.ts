import type { JSONSchemaType } from 'ajv/dist/2020';
import { DEFAULT_LISTENER_LIMITS, type ListenerLimits } from './harden-server';
import { DEFAULT_MAX_JSON_DEPTH } from './strict-json';

/**
 * What every listener of a process allows a client, as its configuration
 * has it (`limits` in the gateway's and the security server's configuration):
 * the {@link ListenerLimits} of {@link createHardenedServer} and the deepest
 * JSON its readers take.
 */
export interface ListenerConfig {
  /** @defaultValue 10_000 */
  headersTimeoutMs: number;
  /** @defaultValue 10_000 */
  bodyIdleTimeoutMs: number;
  /** @defaultValue 60_000 */
  requestTimeoutMs: number;
  /** 0: no limit. @defaultValue 256 */
  maxConnectionsPerPeer: number;
  /** Deepest nesting of JSON arrays and objects in a body. @defaultValue 64 */
  maxJsonDepth: number;
}

/** The {@link ListenerConfig} of a process configured with nothing. */
export const DEFAULT_LISTENER_CONFIG: Readonly<ListenerConfig> = Object.freeze({
  headersTimeoutMs: DEFAULT_LISTENER_LIMITS.headersTimeoutMs,
  bodyIdleTimeoutMs: DEFAULT_LISTENER_LIMITS.bodyIdleTimeoutMs,
  requestTimeoutMs: DEFAULT_LISTENER_LIMITS.requestTimeoutMs,
  maxConnectionsPerPeer: DEFAULT_LISTENER_LIMITS.maxConnectionsPerPeer,
  maxJsonDepth: DEFAULT_MAX_JSON_DEPTH,
});

/**
 * The configuration schema of {@link ListenerConfig}, each key set by the
 * environment variable `<envPrefix>HEADERS_TIMEOUT_MS`, `…BODY_IDLE_TIMEOUT_MS`,
 * `…REQUEST_TIMEOUT_MS`, `…MAX_CONNECTIONS_PER_PEER`, `…MAX_JSON_DEPTH`.
 */
export function listenerConfigSchema(envPrefix: string): JSONSchemaType<ListenerConfig> {
  const ms = (fallback: number, name: string) =>
    ({
      type: 'integer',
      minimum: 100,
      maximum: 3_600_000,
      default: fallback,
      'x-env': `${envPrefix}${name}`,
    }) as const;
  return {
    type: 'object',
    required: [
      'headersTimeoutMs',
      'bodyIdleTimeoutMs',
      'requestTimeoutMs',
      'maxConnectionsPerPeer',
      'maxJsonDepth',
    ],
    properties: {
      headersTimeoutMs: ms(DEFAULT_LISTENER_LIMITS.headersTimeoutMs, 'HEADERS_TIMEOUT_MS'),
      bodyIdleTimeoutMs: ms(DEFAULT_LISTENER_LIMITS.bodyIdleTimeoutMs, 'BODY_IDLE_TIMEOUT_MS'),
      requestTimeoutMs: ms(DEFAULT_LISTENER_LIMITS.requestTimeoutMs, 'REQUEST_TIMEOUT_MS'),
      maxConnectionsPerPeer: {
        type: 'integer',
        minimum: 0,
        maximum: 1_000_000,
        default: DEFAULT_LISTENER_LIMITS.maxConnectionsPerPeer,
        'x-env': `${envPrefix}MAX_CONNECTIONS_PER_PEER`,
      },
      maxJsonDepth: {
        type: 'integer',
        minimum: 2,
        maximum: 10_000,
        default: DEFAULT_MAX_JSON_DEPTH,
        'x-env': `${envPrefix}MAX_JSON_DEPTH`,
      },
    },
  };
}

/** The {@link ListenerLimits} of a listener configured by `config`. */
export function listenerLimitsOf(config: ListenerConfig): ListenerLimits {
  return {
    headersTimeoutMs: config.headersTimeoutMs,
    bodyIdleTimeoutMs: config.bodyIdleTimeoutMs,
    requestTimeoutMs: config.requestTimeoutMs,
    maxConnectionsPerPeer: config.maxConnectionsPerPeer,
  };
}
