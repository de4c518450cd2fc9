import {
  DEFAULT_MAX_JSON_DEPTH,
  MESSAGE_DEPTH_OVERHEAD,
  OrtooError,
  authorize,
  checkForwardedHeaders,
  checkFreshness,
  clientMemberOf,
  parseStrictJson,
  envelopeHash,
  resolveService,
  sha256,
  toOrtooError,
  validateSignedMessage,
  verifySignedBy,
  type GlobalConfIndex,
  type GlobalConfSecurityServer,
  type GlobalConfService,
  type Logger,
  type RequestEnvelope,
  type ResponseEnvelope,
  type SignedMessage,
} from '../../../core/src';
import type { AuditTrail } from '../audit/audit-trail';
import type { DeliveryJobData, ExchangeStatus } from '../delivery/delivery-job';
import type { DeliveryQueues } from '../delivery/delivery-queues';
import { acceptedRecord, rejectedRecord, type MessageFacts } from './exchange-audit';
import type { ExchangeMetrics, PipelineStep } from './exchange-metrics';
import type { CallerAnsweredDelivery, InlineDelivery, InlineOutcome } from './inline-delivery';
import type { MessageRoute, ReplayGuard } from './replay-guard';
import { checkRequestBody } from './request-body-check';
import type { RoutingTable } from './routing-table';
import type { ServiceSchemaCache } from './service-schema-cache';

/** What the pipeline works with, made once by the gateway (see `exchange-runtime.ts`). */
export interface PipelineParts {
  readonly routing: RoutingTable;
  readonly serviceSchemas: ServiceSchemaCache;
  readonly replay: ReplayGuard;
  readonly queues: DeliveryQueues;
  /** Delivers sync messages in this process, with the answer in hand. */
  readonly inline: InlineDelivery;
  readonly audit: AuditTrail;
  readonly metrics: ExchangeMetrics;
  readonly logger: Logger;
  readonly clock: () => Date;
  /** How far `issuedAt` may lie from the gateway's clock. */
  readonly freshnessMs: number;
  /** Deepest nesting of a signed message's JSON. @defaultValue `DEFAULT_MAX_JSON_DEPTH` + `MESSAGE_DEPTH_OVERHEAD` */
  readonly maxJsonDepth?: number;
}

/** A message as it arrived on the exchange listener. */
export interface Submission {
  /** The request body, as received (size already limited). */
  readonly body: Buffer;
  /** `x5t#S256` of the TLS client certificate. */
  readonly peerThumbprint: string | undefined;
  /** `Prefer: respond-async`: answer 202 at once. */
  readonly respondAsync: boolean;
  /** The `ortoo-callback` preference: push the answer to the consumer's server. */
  readonly callback: boolean;
  /** Told the message id as soon as the envelope is valid, so even a refusal can name it (`X-Road-Id`). */
  readonly onId?: (id: string) => void;
}

/** How a submission ended: queued (async), or answered by the provider (sync). */
export type SubmissionResult =
  | { readonly kind: 'queued'; readonly id: string }
  | { readonly kind: 'answered'; readonly id: string; readonly answer: SignedMessage<ResponseEnvelope> };

/** A message the pipeline took on: queued (async), or leased for this process to deliver (sync). */
interface Accepted {
  readonly kind: 'accepted';
  readonly index: GlobalConfIndex;
  readonly data: DeliveryJobData;
  readonly service: GlobalConfService;
  /** When it arrived (`performance.now()`): a sync caller waits at most the service's timeout from then. */
  readonly arrived: number;
}

/** The same request again under its id, taken on before: a retry, which gets that submission's outcome. */
interface Resent {
  readonly kind: 'resent';
  readonly envelope: RequestEnvelope;
  readonly route: MessageRoute;
  /** How long a sync caller waits for the outcome (the service's timeout). */
  readonly timeoutMs: number;
  readonly arrived: number;
}

/** The path of a message's status, as answered to an async submission. */
export function statusUrlOf(id: string): string {
  return `/v1/exchange/${encodeURIComponent(id)}`;
}

/**
 * A sync caller's error when the gateway gave up waiting: the last failure's
 * own type, saying whether the message ends there or may still reach the
 * backend (`detail.delivery`).
 */
function callerAnsweredError(id: string, last: OrtooError, delivery: CallerAnsweredDelivery): OrtooError {
  const what =
    delivery === 'not-delivered'
      ? 'not delivered, and it will not be; you may resend it with the same X-Road-Id'
      : 'handed to the provider; its outcome is unknown: see its status';
  return new OrtooError(last.code, `${last.message}. Message ${id} was ${what}`, {
    detail: { id, statusUrl: statusUrlOf(id), delivery },
    cause: last,
  });
}

/**
 * The provider server a message goes to: the one its consumer asked for
 * (`securityServer`, X-Road-Security-Server), or else one of the active
 * servers of the provider's member, the same one for the same message id (so
 * a resubmission meets its first job), spread over the servers otherwise.
 *
 * @throws OrtooError `UnknownTargetServer` when the server asked for is not
 *   registered, or is not an active server of the provider's member.
 */
function providerServerFor(
  index: GlobalConfIndex,
  service: GlobalConfService | undefined,
  envelope: RequestEnvelope,
): GlobalConfSecurityServer | undefined {
  if (service === undefined) return undefined;
  const servers = index.providerServers(service);
  const asked = envelope.securityServer;
  if (asked !== undefined) {
    const server = servers.find((candidate) => candidate.id === asked);
    if (server !== undefined) return server;
    const known = index.securityServer(asked) !== undefined;
    throw new OrtooError(
      'UnknownTargetServer',
      known
        ? `Security server ${asked} is not an active server of the provider of ${service.id}`
        : `Security server ${asked} is not registered`,
      { detail: { securityServer: asked, service: service.id, reason: known ? 'not-provider' : 'unknown' } },
    );
  }
  if (servers.length <= 1) return servers[0];
  return servers[Buffer.from(sha256(envelope.id), 'base64url').readUInt32BE(0) % servers.length];
}

/** Times the steps of one submission and remembers which one it is in. */
class StepClock {
  step: PipelineStep = 'transport';
  #started = performance.now();
  readonly #metrics: ExchangeMetrics;

  constructor(metrics: ExchangeMetrics) {
    this.#metrics = metrics;
  }

  /** Ends the current step and starts `step`. */
  next(step: PipelineStep): void {
    this.finish();
    this.step = step;
  }

  /** Ends the current step. */
  finish(): void {
    const now = performance.now();
    this.#metrics.stepSeconds.observe({ step: this.step }, (now - this.#started) / 1000);
    this.#started = now;
  }
}

/**
 * The gateway's hot path: every message from a consumer's server goes through
 * these steps, in this order, each with its own typed error, audit record and
 * metric label: transport (the TLS client is an active security server) →
 * parse → envelope schema and header allow-list → caller (a server of the
 * client's member) → signature and signer certificate → freshness → replay →
 * service → access right → request schema → audit record (fail closed) →
 * queue. Then, for a sync call, the wait for the provider's answer.
 */
export class ExchangePipeline {
  readonly #parts: PipelineParts;

  constructor(parts: PipelineParts) {
    this.#parts = parts;
  }

  /**
   * Takes on a message: checks, audits and queues it; for a sync call, waits
   * for the answer within the service's timeout.
   *
   * @throws OrtooError of the step that refused it; after acceptance,
   *   `DeliveryFailed` (dead-lettered) or `ExchangeTimeout` (still going).
   */
  async submit(submission: Submission): Promise<SubmissionResult> {
    const accepted = await this.#accept(submission);
    if (accepted.kind === 'resent') {
      const { envelope, route, timeoutMs, arrived } = accepted;
      if (submission.respondAsync) return { kind: 'queued', id: envelope.id };
      const outcome = await this.#parts.inline.awaitOutcome(
        route.providerServerId,
        envelope.id,
        arrived + timeoutMs,
      );
      return this.#answer(envelope, outcome, timeoutMs);
    }
    const { index, data, service, arrived } = accepted;
    const { envelope } = data.message;
    if (submission.respondAsync) return { kind: 'queued', id: envelope.id };
    const outcome = await this.#parts.inline.deliver(index, data, service, arrived + service.timeoutMs);
    return this.#answer(envelope, outcome, service.timeoutMs);
  }

  /** A sync caller's answer: the provider's, or the typed error of why there is none (yet). */
  #answer(envelope: RequestEnvelope, outcome: InlineOutcome, timeoutMs: number): SubmissionResult {
    const { id } = envelope;
    if (outcome.kind === 'answered') return { kind: 'answered', id, answer: outcome.answer };
    if (outcome.kind === 'timeout') {
      this.#parts.metrics.exchanges.inc({
        client: envelope.client,
        service: envelope.service,
        outcome: 'timed_out',
      });
      throw new OrtooError('ExchangeTimeout', `No answer within ${timeoutMs} ms; delivery goes on`, {
        detail: { id, statusUrl: statusUrlOf(id) },
      });
    }
    if (outcome.kind === 'failed') throw callerAnsweredError(id, outcome.error, outcome.delivery);
    const { reason } = outcome;
    throw new OrtooError('DeliveryFailed', `Message ${id} could not be delivered`, {
      detail: { id, statusUrl: statusUrlOf(id), ...(reason === undefined ? {} : { reason }) },
    });
  }

  /**
   * Where a message stands, for a server of the client's member only (to any
   * other caller the message does not exist).
   *
   * @throws OrtooError `UnknownSecurityServer`, `NotFound`.
   */
  async status(id: string, peerThumbprint: string | undefined): Promise<ExchangeStatus> {
    const index = await this.#parts.routing.current();
    const server = this.#caller(index, peerThumbprint);
    const route = await this.#parts.replay.route(id);
    const status =
      route === undefined || route.clientMemberId !== server.ownerId
        ? undefined
        : await this.#parts.queues.status(route.providerServerId, id);
    if (status === undefined) throw new OrtooError('NotFound', `No message ${id}`, { detail: { id } });
    return status;
  }

  /** Counts and audits a message refused before it could be read (too large, not JSON). */
  async refuseUnread(peerThumbprint: string | undefined, thrown: unknown): Promise<void> {
    const index = await this.#parts.routing.current().catch(() => undefined);
    const server = peerThumbprint === undefined ? undefined : index?.serverByAuthThumbprint(peerThumbprint);
    await this.#reject(
      server === undefined ? {} : { securityServer: server.id },
      'parse',
      toOrtooError(thrown),
      undefined,
    );
  }

  #caller(index: GlobalConfIndex, peerThumbprint: string | undefined): GlobalConfSecurityServer {
    const server = peerThumbprint === undefined ? undefined : index.serverByAuthThumbprint(peerThumbprint);
    if (server === undefined) {
      throw new OrtooError(
        'UnknownSecurityServer',
        'The TLS client certificate is not one of an active security server',
      );
    }
    return server;
  }

  async #accept(submission: Submission): Promise<Accepted | Resent> {
    const { routing, replay, serviceSchemas, audit, queues, inline, metrics, clock } = this.#parts;
    const steps = new StepClock(metrics);
    const arrived = performance.now();
    const facts: MessageFacts = {};
    let claimed: string | undefined;
    try {
      const index = await routing.current();
      const caller = this.#caller(index, submission.peerThumbprint);
      facts.securityServer = caller.id;

      steps.next('parse');
      const value = parseStrictJson(submission.body, {
        what: 'The message',
        maxDepth: this.#parts.maxJsonDepth ?? DEFAULT_MAX_JSON_DEPTH + MESSAGE_DEPTH_OVERHEAD,
      });

      steps.next('envelope');
      facts.messageId = claimedId(value);
      const message = validateSignedMessage(value, 'request');
      const { envelope } = message;
      Object.assign(facts, factsOf(envelope));
      submission.onId?.(envelope.id);
      checkForwardedHeaders(envelope);

      steps.next('caller');
      const clientMember = clientMemberOf(index, envelope.client);
      if (clientMember !== caller.ownerId) {
        throw new OrtooError('SecurityServerMismatch', `${caller.id} is not a server of ${clientMember}`, {
          detail: { securityServer: caller.id, client: envelope.client },
        });
      }

      steps.next('signature');
      verifySignedBy(index, message, clientMember);

      steps.next('freshness');
      checkFreshness(envelope.issuedAt, clock(), this.#parts.freshnessMs);

      steps.next('replay');
      // The route is remembered with the id; the service is checked in the next step.
      const target = providerServerFor(
        index,
        index.service(envelope.service, envelope.serviceVersion),
        envelope,
      );
      const requestHash = envelopeHash(envelope);
      const route = {
        providerServerId: target?.id ?? '',
        clientMemberId: clientMember,
        consumerServerId: caller.id,
        requestHash,
      };
      const earlier = await replay.claim(envelope.id, route);
      if (earlier !== undefined) {
        const retry = earlier.requestHash === requestHash && earlier.clientMemberId === clientMember;
        // A retry gets the outcome of its first submission, unless that never got as far as the
        // queue (the gateway failed in between): then it is taken on now. A message given up on
        // before it reached the backend, its caller told so, is taken on anew, even as a new
        // request under its id (a client proxy signs each call afresh).
        const before = await queues.status(earlier.providerServerId, envelope.id);
        const reopened =
          before !== undefined &&
          earlier.clientMemberId === clientMember &&
          (await this.#reopened(earlier.providerServerId, envelope.id, before));
        if (!retry && !reopened) {
          throw new OrtooError('ReplayedMessage', `Message ${envelope.id} was already received`, {
            detail: { id: envelope.id },
          });
        }
        if (before !== undefined && !reopened) {
          steps.finish();
          metrics.exchanges.inc({ client: envelope.client, service: envelope.service, outcome: 'resent' });
          const timeoutMs = index.service(envelope.service, envelope.serviceVersion)?.timeoutMs ?? 0;
          return { kind: 'resent', envelope, route: earlier, timeoutMs, arrived };
        }
        if (!retry) await replay.remember(envelope.id, route);
      }
      claimed = envelope.id;

      steps.next('service');
      const service = resolveService(index, envelope);
      if (target === undefined) {
        throw new OrtooError('ProviderUnavailable', `No active security server provides ${service.id}`, {
          detail: { service: service.id },
        });
      }

      steps.next('access');
      authorize(index, envelope);

      steps.next('schema');
      await checkRequestBody(serviceSchemas, service, message);

      steps.next('audit');
      await audit.record(acceptedRecord(message, service, caller.id, target.id, requestHash));

      steps.next('queue');
      const data: DeliveryJobData = {
        message,
        serviceVersion: service.version,
        providerServerId: target.id,
        consumerServerId: caller.id,
        callback: submission.callback,
      };
      if (submission.respondAsync) await queues.enqueue(data, service.retryPolicy);
      else await inline.lease(data, service);
      steps.finish();
      metrics.exchanges.inc({ client: envelope.client, service: envelope.service, outcome: 'accepted' });
      // One info line per exchange: a sync one is logged once delivered.
      this.#parts.logger.log(submission.respondAsync ? 'info' : 'debug', 'message accepted', {
        messageId: envelope.id,
        client: envelope.client,
        serviceId: envelope.service,
        hop: 'accept',
        provider: target.id,
        durationMs: Math.round((performance.now() - arrived) * 10) / 10,
      });
      return { kind: 'accepted', index, data, service, arrived };
    } catch (thrown) {
      const error = toOrtooError(thrown);
      await this.#reject(facts, steps.step, error, claimed);
      throw withResendAdvice(error, facts.messageId);
    }
  }

  /**
   * Whether a resent message is taken on anew: one given up on for its sync
   * caller before it reached the backend (its caller was told so) is; its
   * dead letter goes.
   */
  async #reopened(serverId: string, id: string, status: ExchangeStatus): Promise<boolean> {
    if (status.state !== 'dead-lettered' || status.reason?.callerAnswered !== true) {
      return false;
    }
    return this.#parts.queues.forget(serverId, id);
  }

  /** Counts, audits and logs a refusal; gives the id back when the gateway, not the message, failed. */
  async #reject(facts: MessageFacts, step: PipelineStep, error: OrtooError, claimed: string | undefined) {
    const { audit, metrics, logger, replay } = this.#parts;
    metrics.rejections.inc({ step, type: error.type });
    if (facts.client !== undefined && facts.service !== undefined) {
      metrics.exchanges.inc({ client: facts.client, service: facts.service, outcome: 'rejected' });
    }
    const log = {
      step,
      type: error.type,
      messageId: facts.messageId,
      client: facts.client,
      serviceId: facts.service,
    };
    if (error.status >= 500) logger.warn('message refused', { ...log, error });
    else logger.info('message refused', log);
    if (claimed !== undefined && error.status >= 500) {
      await replay.release(claimed).catch(() => undefined);
    }
    // Fail closed: when the audit store is down the message is refused, and its refusal cannot be recorded either.
    if (error.code === 'AuditUnavailable') return;
    try {
      await audit.record(rejectedRecord(facts, step, error));
    } catch (auditError) {
      logger.error('refusal not audited', { ...log, error: auditError });
    }
  }
}

/** What a caller of a message refused by the gateway's own failure is told to do. */
export const RESEND_ADVICE =
  'It may be resent with the same X-Road-Id: the same request again is a retry, never a replay, ' +
  'and gets the outcome of the first if that was taken on';

/**
 * The gateway's own failure (a store or queue away: 5xx) as its caller gets
 * it: with the advice to resend under the same id, since such an answer
 * never tells that the message was not taken on.
 */
function withResendAdvice(error: OrtooError, id: string | undefined): OrtooError {
  if (error.status < 500 || id === undefined) return error;
  const detail = typeof error.detail === 'object' && error.detail !== null ? error.detail : {};
  return new OrtooError(error.code, `${error.message}. ${RESEND_ADVICE}`, {
    detail: { ...detail, id },
    cause: error,
  });
}

const MESSAGE_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** The id a message claims, if well-formed: a refusal of the envelope is still filed under it. */
function claimedId(value: unknown): string | undefined {
  const id = (value as { envelope?: { id?: unknown } } | null)?.envelope?.id;
  return typeof id === 'string' && MESSAGE_ID.test(id) ? id : undefined;
}

function factsOf(envelope: RequestEnvelope): MessageFacts {
  return {
    messageId: envelope.id,
    client: envelope.client,
    service: envelope.service,
    ...(envelope.userId === undefined ? {} : { userId: envelope.userId }),
  };
}
