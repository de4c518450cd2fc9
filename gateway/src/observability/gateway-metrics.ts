import type { Registry } from 'prom-client';
import type { SqlExecutor } from '../../../core/src';
import type { DeliveryQueues } from '../delivery/delivery-queues';
import type { GlobalConfPublisher } from '../global-conf/global-conf-publisher';
import { CertificateMetrics } from './certificate-metrics';
import { CollectionErrors } from './collection-errors';
import { GlobalConfMetrics } from './global-conf-metrics';
import type { OwnCertificate } from './own-certificates';
import { QueueMetrics } from './queue-metrics';

/** What {@link registerGatewayMetrics} reads on each scrape. */
export interface GatewayMetricsSources {
  readonly registry: Registry;
  readonly queues: Pick<DeliveryQueues, 'depths'>;
  readonly store: SqlExecutor;
  readonly globalConf: Pick<GlobalConfPublisher, 'current'>;
  /** The gateway's own certificates ({@link ownCertificatesOf}). */
  readonly certificates: readonly OwnCertificate[];
  readonly clock: () => Date;
}

/** The metrics {@link registerGatewayMetrics} registered. */
export interface GatewayMetrics {
  readonly queues: QueueMetrics;
  readonly globalConf: GlobalConfMetrics;
  readonly certificates: CertificateMetrics;
  readonly errors: CollectionErrors;
}

/**
 * Registers the gateway's state metrics, read when scraped: delivery queue
 * depths and dead letters (Redis, cached for a second), the global
 * configuration's age and expiry, and the expiry of the gateway's own and of
 * the issued certificates (SQL, cached for 30 s). The router registers its
 * own (exchanges, rejections, signature failures, hop latencies) in
 * `exchange-metrics.ts`; the audit trail's append latency is
 * {@link AuditMetrics}, made before the trail.
 */
export function registerGatewayMetrics(sources: GatewayMetricsSources): GatewayMetrics {
  const { registry, queues, store, globalConf, certificates, clock } = sources;
  const errors = new CollectionErrors();
  const metrics: GatewayMetrics = {
    errors,
    queues: new QueueMetrics({ registry, queues, errors }),
    globalConf: new GlobalConfMetrics({ registry, publisher: globalConf, errors }),
    certificates: new CertificateMetrics({ registry, own: certificates, store, clock, errors }),
  };
  errors.register(registry);
  return metrics;
}
