import { Counter, type Registry } from 'prom-client';

const NAME = 'ortoo_listener_refusals_total';

/**
 * What a hardened listener tells its metric of requests refused before any
 * application saw them (timeouts, connection limits, odd methods, malformed
 * HTTP): `ortoo_listener_refusals_total{listener, type}`. These are counted,
 * not audited: a flood of them must not become a flood of audit records.
 * The counter is made once per registry, for all its listeners.
 */
export function listenerRefusals(registry: Registry, listener: string): (type: string) => void {
  const counter =
    (registry.getSingleMetric(NAME) as Counter<'listener' | 'type'> | undefined) ??
    new Counter({
      name: NAME,
      help: 'Requests a listener refused before any application saw them, by listener and error type',
      labelNames: ['listener', 'type'],
      registers: [registry],
    });
  return (type) => counter.inc({ listener, type });
}
