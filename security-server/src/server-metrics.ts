import { Gauge, type Registry } from 'prom-client';
import type { Certificate, GlobalConfClient } from '../../core/src';
import type { ConfHolder } from './conf-holder';

/**
 * A security server's own health in figures, named as the gateway's so one
 * dashboard and one set of alerts serve both: when the global configuration
 * it holds was generated and when it expires, and when its signing and TLS
 * certificates do, as Unix timestamps (the age and the days left are worked
 * out in PromQL). Read on each scrape from memory.
 */
export function registerServerMetrics(
  registry: Registry,
  conf: Pick<ConfHolder, 'index'>,
  certificates: { readonly sign: Certificate; readonly auth: Certificate },
  skew: Pick<GlobalConfClient, 'clockSkewMs'>,
): void {
  new Gauge({
    name: 'ortoo_clock_skew_seconds',
    help: "How far this server's clock is ahead of the gateway's (negative: behind), at the last configuration fetch",
    registers: [registry],
    collect() {
      const measured = skew.clockSkewMs;
      if (measured === undefined) this.reset();
      else this.set(measured / 1000);
    },
  });
  const confTime = (field: 'generatedAt' | 'expiresAt') => (gauge: Gauge) => {
    try {
      gauge.set(Date.parse(conf.index().conf[field]) / 1000);
    } catch {
      gauge.reset(); // no valid configuration: no figure, and the readiness check fails
    }
  };
  const generated = confTime('generatedAt');
  const expires = confTime('expiresAt');
  new Gauge({
    name: 'ortoo_global_conf_generated_timestamp_seconds',
    help: 'When the global configuration this process holds was generated',
    registers: [registry],
    collect() {
      generated(this);
    },
  });
  new Gauge({
    name: 'ortoo_global_conf_expiry_timestamp_seconds',
    help: 'When the global configuration this process holds expires',
    registers: [registry],
    collect() {
      expires(this);
    },
  });
  const expiry = new Gauge({
    name: 'ortoo_certificate_expiry_timestamp_seconds',
    help: "When this process's own certificates stop being valid",
    labelNames: ['certificate'],
    registers: [registry],
  });
  expiry.set({ certificate: 'sign' }, certificates.sign.notAfter.getTime() / 1000);
  expiry.set({ certificate: 'auth' }, certificates.auth.notAfter.getTime() / 1000);
}
