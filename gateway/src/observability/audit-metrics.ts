import { Histogram, type Registry } from 'prom-client';

/** Buckets of an audit append: a group commit takes a millisecond or so; seconds mean a stalled store. */
const APPEND_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** Told of each audit append: the shape of the core `ChainWriter`'s `onAppend` option. */
export type AuditAppendObserver = (seconds: number, committed: boolean) => void;

/** The audit log's append latency, as callers wait for it (the group commit's wait included). */
export class AuditMetrics {
  readonly appendSeconds: Histogram<'outcome'>;

  constructor(registry: Registry) {
    this.appendSeconds = new Histogram({
      name: 'ortoo_audit_append_duration_seconds',
      help: 'Time from an audit append to its commit (or failure), the wait for its group commit included',
      labelNames: ['outcome'],
      buckets: APPEND_BUCKETS,
      registers: [registry],
    });
  }

  /** Pass as the chain writer's `onAppend`. */
  readonly observeAppend: AuditAppendObserver = (seconds, committed) => {
    this.appendSeconds.observe({ outcome: committed ? 'committed' : 'failed' }, seconds);
  };
}
