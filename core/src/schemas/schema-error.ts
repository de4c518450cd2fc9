import type { ErrorObject } from 'ajv/dist/2020';

/** One way a value fails its schema, in terms a caller can act on. */
export interface SchemaError {
  /**
   * JSON Pointer (RFC 6901) of the offending value in the validated data, `''`
   * for the root. Where the fault is a property that is missing (`required`,
   * `dependentRequired`) or not allowed (`additionalProperties`,
   * `unevaluatedProperties`), it names that property, e.g. `/name`.
   */
  pointer: string;
  /** The schema keyword that failed, e.g. `type`, `required`, `format`. */
  keyword: string;
  /** Ajv's English description, e.g. `must be string`. */
  message: string;
  /** JSON Pointer of the failing keyword inside the schema, e.g. `/properties/age/minimum`. */
  schemaPointer: string;
}

/** The outcome of validating a value against a registered schema. */
export type ValidationResult = { valid: true } | { valid: false; errors: SchemaError[] };

/** Escapes one JSON Pointer reference token (RFC 6901 §3). */
function escapeToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** The property an error is about when it is not the value at `instancePath` itself. */
function propertyOf(error: ErrorObject): string | undefined {
  const params = error.params as Record<string, unknown>;
  const name = params.missingProperty ?? params.additionalProperty ?? params.unevaluatedProperty;
  return typeof name === 'string' ? name : undefined;
}

/** Turns Ajv's errors into {@link SchemaError}s, keeping at most `limit` of them. */
export function toSchemaErrors(errors: readonly ErrorObject[], limit: number): SchemaError[] {
  return errors.slice(0, limit).map((error) => {
    const property = propertyOf(error);
    return {
      pointer: property === undefined ? error.instancePath : `${error.instancePath}/${escapeToken(property)}`,
      keyword: error.keyword,
      message: error.message ?? `must pass ${error.keyword}`,
      // Ajv's schemaPath is a URI fragment (`#/properties/a`); a pointer drops the `#`.
      schemaPointer: error.schemaPath.replace(/^#/, ''),
    };
  });
}
