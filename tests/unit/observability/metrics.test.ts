import { Counter, register as globalRegistry } from 'prom-client';
import { createMetricsRegistry } from '../../../core/src/observability';

describe('createMetricsRegistry', () => {
  it('collects the default Node.js metrics under the ortoo_ prefix', async () => {
    const output = await createMetricsRegistry().metrics();
    expect(output).toContain('ortoo_process_cpu_user_seconds_total');
    expect(output).toContain('ortoo_nodejs_eventloop_lag_seconds');
  });

  it('takes another prefix, or no default metrics at all', async () => {
    expect(await createMetricsRegistry({ prefix: 'ss_' }).metrics()).toContain(
      'ss_process_resident_memory_bytes',
    );
    expect(await createMetricsRegistry({ collectDefault: false }).metrics()).toBe('\n');
  });

  it('shows a metric registered on it, with the default labels', async () => {
    const registry = createMetricsRegistry({ defaultLabels: { instance: 'gw-1' } });
    const exchanges = new Counter({
      name: 'ortoo_exchanges_total',
      help: 'Exchanges by outcome',
      labelNames: ['outcome'],
      registers: [registry],
    });
    exchanges.inc({ outcome: 'delivered' });
    const output = await registry.metrics();
    expect(output).toContain('ortoo_exchanges_total{outcome="delivered",instance="gw-1"} 1');
    expect(output).toContain('ortoo_process_cpu_user_seconds_total{instance="gw-1"}');
  });

  it('gives every call its own registry, apart from prom-client’s global one', async () => {
    const gateway = createMetricsRegistry();
    const securityServer = createMetricsRegistry();
    const make = (registry: typeof gateway): Counter =>
      new Counter({
        name: 'ortoo_signature_failures_total',
        help: 'Signature failures',
        registers: [registry],
      });
    make(gateway).inc(3);
    make(securityServer).inc();
    expect(await gateway.metrics()).toContain('ortoo_signature_failures_total 3');
    expect(await securityServer.metrics()).toContain('ortoo_signature_failures_total 1');
    expect(globalRegistry.getSingleMetric('ortoo_signature_failures_total')).toBeUndefined();
    expect(await globalRegistry.metrics()).not.toContain('ortoo_process_cpu_user_seconds_total');
  });
});
