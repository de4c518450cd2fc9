import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The steps of the pipeline, in order: the `step` label of the exchange metrics. */
export const PIPELINE_STEPS = [
  'transport',
  'parse',
  'envelope',
  'caller',
  'signature',
  'freshness',
  'replay',
  'service',
  'access',
  'schema',
  'audit',
  'queue',
] as const;

/** One step of the pipeline. */
export type PipelineStep = (typeof PIPELINE_STEPS)[number];

/** Buckets of the step timers: tens of microseconds (a lookup) to a second (a stalled store). */
const STEP_BUCKETS = [
  0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1,
];
/** Buckets of whole exchanges and deliveries: milliseconds to a minute. */
const EXCHANGE_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** Counts a refusal of the pipeline. */
export interface RejectionCounter {
  inc(labels: { step: PipelineStep; type: string }): void;
}

/**
 * The `reason` label of a signature failure: the error type's last part in
 * snake case (`Client.CertificateRevoked` → `certificate_revoked`), a value
 * of the closed set of error types.
 */
export function signatureFailureReason(type: string): string {
  const name = type.slice(type.lastIndexOf('.') + 1);
  return name.replace(/(?<=[a-z0-9])([A-Z])/g, '_$1').toLowerCase();
}

/**
 * The `reason` label of a failed TLS handshake: the client certificate's
 * verification error when there is one (`CERT_HAS_EXPIRED`,
 * `UNABLE_TO_VERIFY_LEAF_SIGNATURE`: Node finishes such a handshake and then
 * drops the socket, so the error itself only says `ECONNRESET`), else
 * OpenSSL's or Node's error code; in lower case, without `ERR_SSL_`
 * (`peer_did_not_return_a_certificate`, `http_request`); `other` without one.
 *
 * @param authorizationError - the socket's `authorizationError` (a code, at run time)
 */
export function tlsFailureReason(error: { code?: unknown }, authorizationError?: unknown): string {
  const codeOf = (value: unknown) =>
    typeof value === 'string' ? value : (value as { code?: unknown } | null | undefined)?.code;
  const code = codeOf(authorizationError) ?? error.code;
  if (typeof code !== 'string' || !/^[A-Z0-9_]{1,64}$/.test(code)) return 'other';
  return code.replace(/^ERR_SSL_/, '').toLowerCase();
}

/** The router's metrics, registered on the gateway's registry. */
export class ExchangeMetrics {
  /** Messages by client, service and outcome (accepted, resent, rejected, delivered, dead_lettered, timed_out). */
  readonly exchanges: Counter<'client' | 'service' | 'outcome'>;
  /**
   * Refusals by pipeline step and error type (`ortoo_gateway_rejections_total`);
   * those of the signature step also count on {@link ExchangeMetrics.signatureFailures}.
   */
  readonly rejections: RejectionCounter;
  /** Messages whose signature or signer certificate was refused, by reason. */
  readonly signatureFailures: Counter<'reason'>;
  /** Mutual-TLS handshakes of the exchange listener that failed (an untrusted or missing client certificate…), by reason. */
  readonly tlsHandshakeFailures: Counter<'reason'>;
  /** Time spent in each pipeline step. */
  readonly stepSeconds: Histogram<'step'>;
  /** Delivery attempts by provider server and outcome (delivered, retrying, dead_lettered). */
  readonly deliveries: Counter<'provider' | 'outcome'>;
  /** From acceptance to the start of each delivery attempt. */
  readonly queueWaitSeconds: Histogram<'provider'>;
  /** One delivery attempt: the provider's round trip and the answer's checks. */
  readonly providerSeconds: Histogram<'provider'>;
  /** Outcomes kept in the outbox until the audit database takes them (see `outcome-outbox.ts`). */
  readonly outboxDepth: Gauge;

  constructor(registry: Registry) {
    const registers = [registry];
    this.exchanges = new Counter({
      name: 'ortoo_gateway_exchanges_total',
      help: 'Messages through the gateway by client, service and outcome',
      labelNames: ['client', 'service', 'outcome'],
      registers,
    });
    const rejections = new Counter({
      name: 'ortoo_gateway_rejections_total',
      help: 'Messages refused by the pipeline, by step and error type',
      labelNames: ['step', 'type'],
      registers,
    });
    const signatureFailures = new Counter({
      name: 'ortoo_gateway_signature_failures_total',
      help: "Messages refused for their signature or their signer's certificate, by reason",
      labelNames: ['reason'],
      registers,
    });
    this.signatureFailures = signatureFailures;
    this.rejections = {
      inc({ step, type }) {
        rejections.inc({ step, type });
        if (step === 'signature') signatureFailures.inc({ reason: signatureFailureReason(type) });
      },
    };
    this.tlsHandshakeFailures = new Counter({
      name: 'ortoo_gateway_tls_handshake_failures_total',
      help: 'Failed mutual-TLS handshakes on the exchange listener, by reason',
      labelNames: ['reason'],
      registers,
    });
    this.stepSeconds = new Histogram({
      name: 'ortoo_gateway_step_duration_seconds',
      help: 'Time spent in each step of the gateway pipeline',
      labelNames: ['step'],
      buckets: STEP_BUCKETS,
      registers,
    });
    this.deliveries = new Counter({
      name: 'ortoo_gateway_deliveries_total',
      help: 'Delivery attempts by provider security server and outcome',
      labelNames: ['provider', 'outcome'],
      registers,
    });
    this.queueWaitSeconds = new Histogram({
      name: 'ortoo_gateway_queue_wait_seconds',
      help: 'Time from acceptance to the start of a delivery attempt',
      labelNames: ['provider'],
      buckets: EXCHANGE_BUCKETS,
      registers,
    });
    this.providerSeconds = new Histogram({
      name: 'ortoo_gateway_provider_duration_seconds',
      help: "Duration of a delivery attempt: the provider's round trip and the answer's checks",
      labelNames: ['provider'],
      buckets: EXCHANGE_BUCKETS,
      registers,
    });
    this.outboxDepth = new Gauge({
      name: 'ortoo_gateway_outcome_outbox_depth',
      help: 'Delivery outcomes kept in Redis until the audit database takes them',
      registers,
    });
  }
}
