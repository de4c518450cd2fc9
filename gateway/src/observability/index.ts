/**
 * The gateway's observability: the metrics read when scraped (queues, global
 * configuration, certificates), the audit append latency, and the readiness
 * checks behind `/readyz`. The router's own metrics are in
 * `exchange/exchange-metrics.ts`; `/metrics`, `/healthz` and `/readyz` are
 * in `routes/`.
 */
export { AuditMetrics, type AuditAppendObserver } from './audit-metrics';
export {
  CachedValue,
  DEFAULT_CACHE_TTL_MS,
  DEFAULT_COLLECT_TIMEOUT_MS,
  type CachedValueOptions,
} from './cached-value';
export {
  CertificateMetrics,
  DEFAULT_ISSUED_CERTIFICATES_CACHE_MS,
  type CertificateMetricsOptions,
} from './certificate-metrics';
export { CollectionErrors, type CollectionSource } from './collection-errors';
export { registerGatewayMetrics, type GatewayMetrics, type GatewayMetricsSources } from './gateway-metrics';
export { gatewayReadinessChecks, type GatewayReadinessParts } from './gateway-readiness';
export { GlobalConfMetrics, type GlobalConfMetricsOptions } from './global-conf-metrics';
export { ownCertificatesOf, type OwnCertificate } from './own-certificates';
export { QueueMetrics, type QueueMetricsOptions } from './queue-metrics';
