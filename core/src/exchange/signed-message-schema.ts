import path from 'node:path';
import type { Envelope, SignedMessage } from '../envelope/envelope';
import { OrtooError } from '../errors';
import { protocolSchema } from '../schemas/protocol-schema';

/** `schemas/envelope.schema.json`: the JSON Schema of a signed message of either kind. */
export const ENVELOPE_SCHEMA_FILE = path.resolve(__dirname, '../../../schemas/envelope.schema.json');

/**
 * How much deeper a signed message's JSON nests than the body it carries
 * (`{"body": …}`): a listener that takes bodies `maxJsonDepth` deep takes
 * messages this much deeper.
 */
export const MESSAGE_DEPTH_OVERHEAD = 1;

/** The schema, compiled on first use. */
const validateMessage = protocolSchema(ENVELOPE_SCHEMA_FILE);

/**
 * Checks that `value` is a signed message of the expected kind, the first
 * step on every hop: nothing else looks at a message before it passes.
 *
 * @throws OrtooError `InvalidEnvelope`, with the schema errors as JSON pointers in `detail`.
 */
export function validateSignedMessage<K extends Envelope['kind']>(
  value: unknown,
  kind: K,
): SignedMessage<Extract<Envelope, { kind: K }>> {
  const result = validateMessage(value);
  if (!result.valid) {
    throw new OrtooError('InvalidEnvelope', 'Message does not match the envelope schema', {
      detail: { errors: result.errors },
    });
  }
  const message = value as SignedMessage;
  if (message.envelope.kind !== kind) {
    throw new OrtooError('InvalidEnvelope', `Expected a ${kind} envelope, got a ${message.envelope.kind}`);
  }
  return message as SignedMessage<Extract<Envelope, { kind: K }>>;
}
