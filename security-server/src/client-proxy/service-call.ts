import {
  OrtooError,
  assertAcceptedMediaType,
  buildRequest,
  clientMemberOf,
  resolveService,
  signMessage,
  validateSignedMessage,
  verifyAnswer,
} from '../../../core/src';
import type { AuthenticatedLocalSystem } from '../local-systems';
import { assertMayActAs } from '../local-systems';
import { messageUrlOf, providerMemberOf, type ExchangeContext } from './exchange-context';
import { httpAnswerOf, jsonAnswer, xRoadHeadersOf, type HttpAnswer } from './http-answer';
import { clientOf, preferencesOf, requestParamsOf, type ServiceRequest } from './request-envelope';

/**
 * How much longer than the service's timeout a sync call waits for the
 * gateway: the gateway answers `Server.ServerProxy.Timeout` itself at the
 * service's timeout, which says more than this server's own `Timeout`.
 */
export const GATEWAY_GRACE_MS = 5000;

/** Failures of this server's call to the gateway after which the gateway may still have taken the message. */
const MAYBE_TAKEN: ReadonlySet<string> = new Set(['Timeout', 'GatewayUnavailable']);

/** What a local system is told after such a failure. */
const MAYBE_TAKEN_ADVICE =
  'The gateway may have taken the message: read its status, or resend it with the same X-Road-Id ' +
  '(refused as a replay if the first was taken, never delivered twice)';

/**
 * An error of the gateway about this message, with any `statusUrl` it gives
 * (the gateway's own `/v1/exchange/…`) replaced by the local system's
 * `/r1/messages/…`; this server's own `Timeout` and `GatewayUnavailable`
 * (a connection lost, a proxy's 503) get one too, and the advice to read it,
 * since the message may have been taken and its delivery may go on.
 */
function forLocalSystem(error: unknown, id: string): unknown {
  if (!(error instanceof OrtooError)) return error;
  const detail = typeof error.detail === 'object' && error.detail !== null ? error.detail : undefined;
  const maybeTaken = MAYBE_TAKEN.has(error.code);
  if ((detail === undefined || !('statusUrl' in detail)) && !maybeTaken) return error;
  return new OrtooError(error.code, maybeTaken ? `${error.message}. ${MAYBE_TAKEN_ADVICE}` : error.message, {
    detail: { ...detail, id, statusUrl: messageUrlOf(id) },
    cause: error,
  });
}

/**
 * A local system's call of a service, X-Road's REST protocol on the outside
 * and a signed envelope on the inside: the local system may act as the
 * client → the client is a registered subsystem of this server's member →
 * the service exists and is enabled → the envelope is built, signed, checked
 * against the envelope schema and logged (sent, committed) before it leaves
 * → the gateway takes it → the provider's answer is verified (signature of
 * the provider's member, bound to this request) → the answer as HTTP, while
 * it is logged (received) by the message log's group commit, off the local
 * system's path. The access right is the gateway's to judge (and audit).
 *
 * With `Prefer: respond-async` the answer is 202 with the message id and
 * where to read the answer (`GET /r1/messages/{id}`); the gateway is asked to
 * hand the answer to this server's provider proxy as well.
 *
 * @throws OrtooError of the step that refused the call, or the gateway's own.
 */
export async function callService(
  context: ExchangeContext,
  system: AuthenticatedLocalSystem,
  request: ServiceRequest,
): Promise<HttpAnswer> {
  const { deps, gateway } = context;
  const started = performance.now();
  const client = clientOf(request.headers);
  assertMayActAs(system, client);
  const index = deps.conf.index();
  const member = clientMemberOf(index, client);
  if (member !== deps.identity.memberId) {
    throw new OrtooError(
      'SecurityServerMismatch',
      `${client} is a subsystem of ${member}; this server belongs to ${deps.identity.memberId}`,
      { detail: { client, securityServer: deps.identity.serverId } },
    );
  }
  const params = requestParamsOf(request, client, deps.config.limits.maxJsonDepth);
  const unsigned = buildRequest(params, { now: deps.clock() });
  const { envelope } = unsigned;
  const service = resolveService(index, envelope);
  assertAcceptedMediaType(service, envelope.contentType);
  // Refused here, before it is logged, rather than by the gateway.
  const signed = validateSignedMessage(signMessage(unsigned, deps.identity.signer), 'request');
  await deps.messageLog.record({ direction: 'sent', message: signed, localSystem: system.name });

  const respondAsync = preferencesOf(request.headers).has('respond-async');
  let submitted;
  try {
    submitted = await gateway.submit(signed, {
      async: respondAsync,
      callback: respondAsync,
      timeoutMs: service.timeoutMs + GATEWAY_GRACE_MS,
    });
  } catch (error) {
    throw forLocalSystem(error, envelope.id);
  }
  const log = (message: string, facts: Record<string, unknown>) =>
    deps.logger.info(message, {
      messageId: envelope.id,
      client,
      serviceId: envelope.service,
      hop: 'client',
      localSystem: system.name,
      durationMs: Math.round((performance.now() - started) * 10) / 10,
      ...facts,
    });
  if (submitted.status === 202) {
    log('message queued', {});
    const statusUrl = messageUrlOf(envelope.id);
    return jsonAnswer(
      202,
      { id: envelope.id, status: 'queued', statusUrl },
      { ...xRoadHeadersOf(envelope), Location: statusUrl, 'Preference-Applied': 'respond-async' },
    );
  }
  const answer = verifyAnswer(index, submitted.body, signed, providerMemberOf(envelope.service));
  // Off the local system's path: the answer is committed by the message log's group commit.
  deps.messageLog
    .record({ direction: 'received', message: answer, localSystem: system.name })
    .catch((error: unknown) => {
      deps.logger.error('answer not logged', { messageId: envelope.id, client, error: String(error) });
    });
  log('message answered', { status: answer.envelope.status });
  return httpAnswerOf(answer, signed);
}
