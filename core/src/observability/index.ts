export { createLogger, REDACTED, type LogContext, type Logger, type LoggerOptions } from './logger';
export { createMetricsRegistry, DEFAULT_METRICS_PREFIX, type MetricsRegistryOptions } from './metrics';
