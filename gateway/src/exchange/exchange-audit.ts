import {
  envelopeHash,
  requestDataSubject,
  type GlobalConfService,
  type OrtooError,
  type RequestEnvelope,
  type ResponseEnvelope,
  type SignedMessage,
} from '../../../core/src';
import type { AuditEntry } from '../audit/audit-trail';

/**
 * The audit records of an exchange, one builder per event. Events are the
 * words the auditor searches by: `accepted`, `rejected`, `delivered`,
 * `retrying`, `dead-lettered`. Records carry ids, hashes and signatures,
 * never bodies; the data subject goes in clear to the audit trail, which
 * stores only its keyed hash.
 */

/** What is known about a message when a step refuses it. */
export interface MessageFacts {
  messageId?: string;
  client?: string;
  service?: string;
  userId?: string;
  /** The security server that sent it (from its TLS certificate). */
  securityServer?: string;
}

/** The compact form of a detached JWS, without the payload: what an auditor needs to re-check it. */
function signatureOf(message: SignedMessage): string {
  return `${message.signature.protected}..${message.signature.signature}`;
}

/**
 * The facts of a request; `requestHash` is its `envelopeHash` when the
 * caller already has it (canonicalising the envelope again costs on the hot path).
 */
function requestFacts(
  message: SignedMessage<RequestEnvelope>,
  securityServer: string,
  requestHash = envelopeHash(message.envelope),
): AuditEntry {
  const { envelope } = message;
  return {
    event: 'accepted',
    outcome: 'ok',
    messageId: envelope.id,
    client: envelope.client,
    service: envelope.service,
    ...(envelope.userId === undefined ? {} : { userId: envelope.userId }),
    securityServer,
    requestHash,
    requestSignature: signatureOf(message),
  };
}

function subjectOf(
  service: GlobalConfService,
  message: SignedMessage<RequestEnvelope>,
): { dataSubject?: string } {
  const subject = requestDataSubject(service, message.envelope, message.body);
  return subject === undefined ? {} : { dataSubject: subject };
}

/**
 * The gateway took on a message: checked, about to be delivered by
 * `providerServerId`. `requestHash` is the envelope's, as the replay step computed it.
 */
export function acceptedRecord(
  message: SignedMessage<RequestEnvelope>,
  service: GlobalConfService,
  consumerServerId: string,
  providerServerId: string,
  requestHash: string,
): AuditEntry {
  return {
    ...requestFacts(message, consumerServerId, requestHash),
    ...subjectOf(service, message),
    detail: {
      serviceVersion: service.version,
      provider: providerServerId,
      ...(message.envelope.issue === undefined ? {} : { issue: message.envelope.issue }),
    },
  };
}

/** A step refused a message (or failed on the gateway's side). */
export function rejectedRecord(facts: MessageFacts, step: string, error: OrtooError): AuditEntry {
  return {
    event: 'rejected',
    outcome: error.status < 500 ? 'refused' : 'failed',
    errorType: error.type,
    ...facts,
    detail: { step, message: error.message },
  };
}

/**
 * The provider answered and the answer passed its checks, which bound it to
 * the request: its `requestHash` is the request's.
 */
export function deliveredRecord(
  message: SignedMessage<RequestEnvelope>,
  service: GlobalConfService | undefined,
  providerServerId: string,
  answer: SignedMessage<ResponseEnvelope>,
  attempt: number,
): AuditEntry {
  return {
    ...requestFacts(message, providerServerId, answer.envelope.requestHash),
    ...(service === undefined ? {} : subjectOf(service, message)),
    event: 'delivered',
    responseHash: envelopeHash(answer.envelope),
    responseSignature: signatureOf(answer),
    detail: { status: answer.envelope.status, attempt },
  };
}

/** A delivery attempt failed: `retrying` when another follows, else `dead-lettered`. */
export function deliveryFailedRecord(
  message: SignedMessage<RequestEnvelope>,
  providerServerId: string,
  error: OrtooError,
  attempt: number,
  final: boolean,
): AuditEntry {
  return {
    ...requestFacts(message, providerServerId),
    event: final ? 'dead-lettered' : 'retrying',
    outcome: 'failed',
    errorType: error.type,
    detail: { attempt, message: error.message },
  };
}
