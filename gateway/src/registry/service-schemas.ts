import { OrtooError, SchemaRegistry, canonicalJson, isOrtooError, sha256 } from '../../../core/src';

/** The two payload schemas of a service, by their field name in the admin API. */
export type ServiceSchemaField = 'requestSchema' | 'responseSchema';

/**
 * Checks that `schema` compiles as a JSON Schema (2020-12) under the rules the
 * gateway validates payloads by (those of {@link SchemaRegistry}), so a
 * service is never published with a schema the exchange could not use, and
 * returns its hash: SHA-256 of its canonical JSON, which stays the same
 * however the schema was written or stored.
 *
 * A fresh registry each time: the check must not leave anything behind, nor
 * depend on schemas checked before.
 *
 * @throws OrtooError `InvalidSchema` naming `field` and why it does not compile.
 */
export function checkServiceSchema(field: ServiceSchemaField, schema: Record<string, unknown>): string {
  try {
    new SchemaRegistry().register(field, 'check', schema);
  } catch (error) {
    if (!isOrtooError(error, 'InvalidSchema')) throw error;
    const reason = (error.detail as { reason?: unknown } | undefined)?.reason;
    const why = typeof reason === 'string' ? reason : error.message;
    throw new OrtooError('InvalidSchema', `${field} is not a valid JSON Schema (2020-12): ${why}`, {
      detail: { field, reason: why },
      cause: error,
    });
  }
  return sha256(canonicalJson(schema));
}
