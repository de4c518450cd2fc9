import { Gauge, type Registry } from 'prom-client';
import type { SqlExecutor } from '../../../core/src';
import type { CertificateKind } from '../registry/certificate-repository';
import { CachedValue, DEFAULT_COLLECT_TIMEOUT_MS } from './cached-value';
import type { CollectionErrors } from './collection-errors';
import type { OwnCertificate } from './own-certificates';

/** Options of {@link CertificateMetrics}. */
export interface CertificateMetricsOptions {
  readonly registry: Registry;
  /** The gateway's own certificates ({@link ownCertificatesOf}). */
  readonly own: readonly OwnCertificate[];
  /** The registry, whose `certificates` table lists those the CA issued. */
  readonly store: SqlExecutor;
  readonly clock: () => Date;
  readonly errors: CollectionErrors;
  /**
   * How long the issued certificates' figures are served before the table is read again.
   * @defaultValue 30 000 ms
   */
  readonly cacheMs?: number;
  /** @defaultValue {@link DEFAULT_COLLECT_TIMEOUT_MS} */
  readonly timeoutMs?: number;
}

/** Default of {@link CertificateMetricsOptions.cacheMs}: certificates come and go by the day. */
export const DEFAULT_ISSUED_CERTIFICATES_CACHE_MS = 30_000;

/** What the registry's active certificates of one kind look like. */
interface IssuedByKind {
  readonly kind: CertificateKind;
  /** Earliest end of validity among those still valid; null when none is. */
  readonly earliest: Date | null;
  /** Active (not revoked) yet past their end of validity. */
  readonly expired: number;
}

/** One scan of the certificates table, however many there are: a few thousand rows, read every 30 s. */
async function readIssued(store: SqlExecutor, now: Date): Promise<IssuedByKind[]> {
  return store.query<IssuedByKind>(
    `SELECT kind,
            min(not_after) FILTER (WHERE not_after > $1) AS earliest,
            (count(*) FILTER (WHERE not_after <= $1))::int AS expired
       FROM certificates
      WHERE status = 'active'
      GROUP BY kind`,
    [now],
  );
}

/** Seconds since the epoch, as Prometheus timestamps are. */
function epochSeconds(date: Date): number {
  return date.getTime() / 1000;
}

/**
 * When certificates stop being valid, as Unix timestamps (Prometheus keeps
 * time in seconds; the days left are `(metric - time()) / 86400` in PromQL):
 * the gateway's own (CA, TLS, configuration and audit signing), and the
 * earliest among those the CA issued to members' servers that are active and
 * still valid, with a count of active ones already expired.
 */
export class CertificateMetrics {
  readonly ownExpiry: Gauge<'certificate'>;
  readonly issuedEarliestExpiry: Gauge<'kind'>;
  readonly issuedExpired: Gauge<'kind'>;

  constructor(options: CertificateMetricsOptions) {
    const { registry, own, store, clock, errors } = options;
    const registers = [registry];
    this.ownExpiry = new Gauge({
      name: 'ortoo_certificate_expiry_timestamp_seconds',
      help: "End of validity of the gateway's own certificates (ca, tls, global_conf_signing, audit_signing)",
      labelNames: ['certificate'],
      registers,
    });
    for (const { name, certificate } of own) {
      this.ownExpiry.set({ certificate: name }, epochSeconds(certificate.notAfter));
    }

    const issued = new CachedValue({
      load: () => readIssued(store, clock()),
      what: 'issued certificates',
      ttlMs: options.cacheMs ?? DEFAULT_ISSUED_CERTIFICATES_CACHE_MS,
      timeoutMs: options.timeoutMs ?? DEFAULT_COLLECT_TIMEOUT_MS,
    });
    const read = async () => (await errors.read('issued_certificates', issued.get())) ?? [];
    const earliest: Gauge<'kind'> = new Gauge({
      name: 'ortoo_gateway_issued_certificates_earliest_expiry_timestamp_seconds',
      help: 'Earliest end of validity among the active, still valid certificates the instance CA issued, by kind (sign, auth)',
      labelNames: ['kind'],
      registers,
      async collect() {
        const rows = await read();
        earliest.reset();
        for (const row of rows) {
          if (row.earliest !== null) earliest.set({ kind: row.kind }, epochSeconds(new Date(row.earliest)));
        }
      },
    });
    const expired: Gauge<'kind'> = new Gauge({
      name: 'ortoo_gateway_issued_certificates_expired',
      help: 'Certificates the instance CA issued that are active (not revoked) but past their end of validity, by kind',
      labelNames: ['kind'],
      registers,
      async collect() {
        const rows = await read();
        expired.reset();
        for (const row of rows) expired.set({ kind: row.kind }, row.expired);
      },
    });
    this.issuedEarliestExpiry = earliest;
    this.issuedExpired = expired;
  }
}
