export { createLogger, REDACTED, type LogContext, type Logger, type LoggerOptions } from './logger';
export { createMetricsRegistry, DEFAULT_METRICS_PREFIX, type MetricsRegistryOptions } from './metrics';
export {
  DEFAULT_READINESS_TIMEOUT_MS,
  ReadinessChecker,
  type CheckResult,
  type Readiness,
  type ReadinessCheck,
  type ReadinessCheckerOptions,
} from './readiness-checker';
export { withTimeout } from './with-timeout';
export { opsEndpoints, type OpsHandler } from './ops-endpoints';
