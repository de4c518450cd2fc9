import {
  OrtooError,
  errorCodeOfType,
  isJsonContentType,
  verifyAnswer,
  type GlobalConfIndex,
  type GlobalConfService,
  type Logger,
  type RequestEnvelope,
  type ResponseEnvelope,
  type SignedMessage,
} from '../../../core/src';
import {
  CALLBACK_JOB,
  type CallbackJobData,
  type DeliveryJobData,
  type FailureReason,
} from '../delivery/delivery-job';
import type { DeliveryQueues } from '../delivery/delivery-queues';
import type { DeliveryHooks, DeliveryProcessor } from '../delivery/delivery-workers';
import type { OutcomeOutbox } from '../delivery/outcome-outbox';
import type { ProviderClient } from '../delivery/provider-client';
import { deliveredRecord, deliveryFailedRecord } from './exchange-audit';
import type { ExchangeMetrics } from './exchange-metrics';
import type { RoutingTable } from './routing-table';
import type { ServiceSchemaCache } from './service-schema-cache';

/** What delivery works with. */
export interface DeliveryParts {
  readonly routing: RoutingTable;
  readonly providers: ProviderClient;
  readonly serviceSchemas: ServiceSchemaCache;
  readonly queues: DeliveryQueues;
  /** Where outcomes are recorded: the audit trail, or kept until its database is back. */
  readonly outbox: Pick<OutcomeOutbox, 'record'>;
  readonly metrics: ExchangeMetrics;
  readonly logger: Logger;
}

/** How long a consumer's server has to take a callback. */
const CALLBACK_TIMEOUT_MS = 10_000;

/** A server that is still registered and active, or a permanent failure. */
function activeServer(index: GlobalConfIndex, id: string) {
  const server = index.securityServer(id);
  if (server?.status !== 'active') {
    throw new OrtooError('UnknownSecurityServer', `Security server ${id} is no longer active`, {
      detail: { securityServer: id },
    });
  }
  return server;
}

/**
 * Checks an answer's body. For a service described by OpenAPI, against the
 * operation of its request: the schema of its status and media type (see
 * `CompiledServiceApi.checkAnswer`). For a single-schema service, against
 * the response schema: a JSON body of a successful answer (2xx), which is
 * what the schema describes. Error answers of the backend travel as they are.
 */
async function checkAnswerBody(
  serviceSchemas: ServiceSchemaCache,
  service: GlobalConfService,
  request: RequestEnvelope,
  answer: SignedMessage<ResponseEnvelope>,
): Promise<void> {
  const { status, contentType } = answer.envelope;
  const json = contentType !== undefined && isJsonContentType(contentType);
  try {
    if (service.openapiHash !== undefined) {
      const api = await serviceSchemas.api(service.openapiHash);
      api.checkAnswer(request, {
        status,
        ...(contentType === undefined ? {} : { contentType }),
        ...(json ? { body: answer.body } : {}),
      });
      return;
    }
    if (status < 200 || status > 299 || !json) return;
    await serviceSchemas.assertValid(service.responseSchemaHash, answer.body);
  } catch (error) {
    if (!(error instanceof OrtooError) || error.code !== 'SchemaViolation') throw error;
    throw new OrtooError(
      'InvalidAnswer',
      `Provider's answer violates the response schema: ${error.message}`,
      {
        detail: { reason: error.type, ...(error.detail as object) },
        cause: error,
      },
    );
  }
}

/**
 * One attempt to deliver a message: post the consumer's signed request to
 * the provider's server and return its verified answer (bound to the
 * request, signed by the provider's member, body per the response schema).
 * The accepting gateway makes the first attempt of a sync message itself
 * (`inline-delivery.ts`); workers make every queued one.
 *
 * @param enqueuedAt - when the job was queued, for the queue-wait metric
 * @param timeoutMs - at most this long (a sync caller's time left); the service's timeout in any case
 * @throws OrtooError; {@link isTransientFailure} tells whether a retry may succeed.
 */
export async function attemptDelivery(
  parts: Pick<DeliveryParts, 'providers' | 'serviceSchemas' | 'metrics'>,
  index: GlobalConfIndex,
  data: DeliveryJobData,
  enqueuedAt?: number,
  timeoutMs?: number,
): Promise<SignedMessage<ResponseEnvelope>> {
  const { providers, serviceSchemas, metrics } = parts;
  const { envelope } = data.message;
  const server = activeServer(index, data.providerServerId);
  if (enqueuedAt !== undefined) {
    metrics.queueWaitSeconds.observe({ provider: server.id }, Math.max(0, Date.now() - enqueuedAt) / 1000);
  }
  const service = index.service(envelope.service, data.serviceVersion);
  if (service === undefined) {
    throw new OrtooError('UnknownService', `Service ${envelope.service} ${data.serviceVersion} was removed`, {
      detail: { service: envelope.service, version: data.serviceVersion },
    });
  }
  const started = performance.now();
  try {
    const deadline = Math.max(1, Math.min(service.timeoutMs, timeoutMs ?? service.timeoutMs));
    const raw = await providers.deliver(server, data.message, deadline);
    const answer = verifyAnswer(index, raw, data.message, server.ownerId);
    await checkAnswerBody(serviceSchemas, service, envelope, answer);
    return answer;
  } finally {
    metrics.providerSeconds.observe({ provider: server.id }, (performance.now() - started) / 1000);
  }
}

/** The failure a lease was handed over with, as the error that dead-letters its job. */
function inlineFailureOf(reason: FailureReason): OrtooError {
  return new OrtooError(errorCodeOfType(reason.type) ?? 'DeliveryFailed', reason.message);
}

/**
 * The delivery of one message, as a worker runs it: {@link attemptDelivery}
 * for a `deliver` job, the push of an answer to a consumer's server for a
 * `callback` job. A lease job (see `inline-delivery.ts`) whose gateway
 * already has the answer completes with it, and one handed over after a
 * final failure of the gateway's own attempt dead-letters at once.
 * Failures are thrown as typed errors; the workers retry the transient ones.
 */
export function createDeliveryProcessor(parts: DeliveryParts): DeliveryProcessor {
  const { routing, providers, queues } = parts;
  return async (job) => {
    const index = await routing.current();
    if (job.name === CALLBACK_JOB) {
      const data = job.data as CallbackJobData;
      await providers.callback(activeServer(index, data.consumerServerId), data.answer, CALLBACK_TIMEOUT_MS);
      return undefined;
    }
    const data = job.data as DeliveryJobData;
    if (data.inlineFailure !== undefined) throw inlineFailureOf(data.inlineFailure);
    if (data.lease === true) {
      const kept = await queues.keptAnswer(data.providerServerId, data.message.envelope.id);
      if (kept !== undefined) return kept.answer;
    }
    return attemptDelivery(parts, index, data, job.enqueuedAt);
  };
}

/**
 * What happens after each attempt: the audit record (`delivered`, `retrying`
 * or `dead-lettered`), the metrics, and the callback job when the consumer
 * asked for one. The record goes through the {@link OutcomeOutbox}: with the
 * audit database down it is kept and written later, never thrown (the
 * provider has already answered, and a retry would deliver the message twice).
 */
export function createDeliveryHooks(parts: DeliveryParts): DeliveryHooks {
  const { routing, queues, outbox, metrics, logger } = parts;
  return {
    async delivered(data, answer, attempt) {
      const { envelope } = data.message;
      const index = await routing.current().catch(() => undefined);
      const service = index?.service(envelope.service, data.serviceVersion);
      const audited = await outbox.record(
        deliveredRecord(data.message, service, data.providerServerId, answer, attempt),
      );
      metrics.deliveries.inc({ provider: data.providerServerId, outcome: 'delivered' });
      logger.info('message delivered', {
        messageId: envelope.id,
        client: envelope.client,
        serviceId: envelope.service,
        hop: 'deliver',
        provider: data.providerServerId,
        attempt,
        status: answer.envelope.status,
        durationMs: Date.now() - Date.parse(envelope.issuedAt),
      });
      metrics.exchanges.inc({ client: envelope.client, service: envelope.service, outcome: 'delivered' });
      if (data.callback) {
        await queues
          .enqueueCallback({ messageId: envelope.id, consumerServerId: data.consumerServerId, answer })
          .catch((error: unknown) => logger.error('callback not queued', { messageId: envelope.id, error }));
      }
      return audited;
    },
    async failed(data, error, attempt, final) {
      const { envelope } = data.message;
      await outbox.record(deliveryFailedRecord(data.message, data.providerServerId, error, attempt, final));
      metrics.deliveries.inc({
        provider: data.providerServerId,
        outcome: final ? 'dead_lettered' : 'retrying',
      });
      if (final) {
        metrics.exchanges.inc({
          client: envelope.client,
          service: envelope.service,
          outcome: 'dead_lettered',
        });
      }
      logger.warn(final ? 'message dead-lettered' : 'delivery failed, retrying', {
        messageId: envelope.id,
        client: envelope.client,
        serviceId: envelope.service,
        provider: data.providerServerId,
        attempt,
        type: error.type,
      });
    },
  };
}
