import { isDeepStrictEqual } from 'node:util';
import type Ajv2020 from 'ajv/dist/2020';
import type { ValidateFunction } from 'ajv/dist/2020';
import { OrtooError } from '../errors';
import { createAjv } from './create-ajv';
import { toSchemaErrors, type SchemaError, type ValidationResult } from './schema-error';

/** Options of {@link SchemaRegistry}. */
export interface SchemaRegistryOptions {
  /**
   * Most errors reported for one invalid value. A hostile value can fail in
   * thousands of places; the caller needs the first few, not all of them.
   * @defaultValue 20
   */
  maxErrors?: number;
}

/** Default of {@link SchemaRegistryOptions.maxErrors}. */
export const DEFAULT_MAX_SCHEMA_ERRORS = 20;

interface Entry {
  /** The schema as registered, kept to tell a repeat from a conflict. */
  readonly schema: object;
  /** The `$id` under which Ajv knows the compiled schema. */
  readonly baseUri: string;
  readonly validate: ValidateFunction;
}

const VALID: ValidationResult = Object.freeze({ valid: true });

/**
 * The `$id` a schema is compiled under. Ajv keeps one table of `$id`s; two
 * versions of a service schema often carry the same author `$id`, so the
 * registry replaces the root `$id` with this one, unique per (id, version).
 *
 * An http URI in the reserved `.invalid` domain (never fetched) rather than a
 * URN: relative references resolve against it as they would against the
 * author's URL, and the trailing `/` keeps nested relative `$id`s of one
 * version apart from those of another.
 */
export function schemaBaseUri(id: string, version: string): string {
  return `https://schemas.ortoo.invalid/${encodeURIComponent(id)}/${encodeURIComponent(version)}/`;
}

/** Everything Ajv keeps for one registered schema: its root and any nested `$id`s. */
function ajvKeysOf(baseUri: string): RegExp {
  return new RegExp(`^${baseUri.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`);
}

/**
 * Compiled JSON Schemas (2020-12) by service id and version: each schema is
 * compiled once, when registered, and validation is then a map lookup and a
 * call of the compiled function.
 *
 * Schemas must be self-contained: the root `$id` is replaced by
 * {@link schemaBaseUri} so versions never collide inside Ajv, so references must
 * be local (`#/$defs/...`) or relative to the schema itself; a `$ref` to the
 * author's original `$id` or to another file does not resolve and the schema
 * is refused as `InvalidSchema`. Nested absolute `$id`s are not rewritten and
 * must be unique across the registry.
 *
 * Strict mode applies (see {@link createAjv}): among other things every name
 * in `required` must be declared under `properties`, which catches typos.
 */
export class SchemaRegistry {
  readonly #ajv: Ajv2020;
  readonly #entries = new Map<string, Entry>();
  readonly #maxErrors: number;

  constructor(options: SchemaRegistryOptions = {}) {
    this.#ajv = createAjv();
    this.#maxErrors = options.maxErrors ?? DEFAULT_MAX_SCHEMA_ERRORS;
  }

  /**
   * Compiles `schema` and keeps it as (id, version). Registering the same
   * schema again is a no-op.
   *
   * @throws OrtooError `Conflict` when a different schema is already
   *   registered as (id, version); `InvalidSchema` when the schema is not a
   *   valid 2020-12 schema under strict mode (unknown keyword, wrong keyword
   *   type, unresolvable `$ref`, `$async`), with Ajv's reason in `detail`.
   */
  register(id: string, version: string, schema: object): void {
    const key = `${id}@${version}`;
    const existing = this.#entries.get(key);
    if (existing !== undefined) {
      if (isDeepStrictEqual(existing.schema, schema)) return;
      throw new OrtooError('Conflict', `A different schema is already registered as ${key}`, {
        detail: { id, version },
      });
    }
    if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
      throw new OrtooError('InvalidSchema', `Schema ${key} must be a JSON object`, {
        detail: { id, version, reason: 'must be a JSON object' },
      });
    }
    // Validation is synchronous; an $async schema would return a promise that always looks valid.
    if ((schema as { $async?: unknown }).$async === true) {
      throw new OrtooError('InvalidSchema', `Schema ${key} is invalid: $async schemas are not supported`, {
        detail: { id, version, reason: '$async schemas are not supported' },
      });
    }
    // Our own copy: the caller may change theirs later, and Ajv must see a fresh object.
    const own = structuredClone(schema);
    const baseUri = schemaBaseUri(id, version);
    let validate: ValidateFunction;
    try {
      validate = this.#ajv.compile({ ...own, $id: baseUri });
    } catch (error) {
      // A failed compile can leave the root registered; clear it so a fixed schema can follow.
      this.#ajv.removeSchema(ajvKeysOf(baseUri));
      const reason = error instanceof Error ? error.message : String(error);
      throw new OrtooError('InvalidSchema', `Schema ${key} is invalid: ${reason}`, {
        detail: { id, version, reason },
        cause: error,
      });
    }
    this.#entries.set(key, { schema: own, baseUri, validate });
  }

  /** True when a schema is registered as (id, version). */
  has(id: string, version: string): boolean {
    return this.#entries.has(`${id}@${version}`);
  }

  /**
   * Forgets the schema registered as (id, version), for when the registry of
   * services changes. Returns whether there was one.
   */
  remove(id: string, version: string): boolean {
    const key = `${id}@${version}`;
    const entry = this.#entries.get(key);
    if (entry === undefined) return false;
    this.#ajv.removeSchema(ajvKeysOf(entry.baseUri));
    this.#entries.delete(key);
    return true;
  }

  /**
   * Validates `data` against the schema registered as (id, version). Never
   * throws for any data; at most `maxErrors` errors are returned.
   *
   * @throws OrtooError `NotFound` when no schema is registered as (id, version).
   */
  validate(id: string, version: string, data: unknown): ValidationResult {
    const entry = this.#entries.get(`${id}@${version}`);
    if (entry === undefined) throw notFound(id, version);
    if (entry.validate(data)) return VALID;
    return { valid: false, errors: toSchemaErrors(entry.validate.errors ?? [], this.#maxErrors) };
  }

  /**
   * Like {@link SchemaRegistry.validate}, for callers that reject invalid data.
   *
   * @throws OrtooError `SchemaViolation` with `detail: { errors }` when `data`
   *   does not match; `NotFound` when no schema is registered as (id, version).
   */
  assertValid(id: string, version: string, data: unknown): void {
    const result = this.validate(id, version, data);
    if (result.valid) return;
    throw new OrtooError('SchemaViolation', violationMessage(id, version, result.errors), {
      detail: { errors: result.errors },
    });
  }
}

function notFound(id: string, version: string): OrtooError {
  return new OrtooError('NotFound', `No schema is registered as ${id}@${version}`, {
    detail: { id, version },
  });
}

function violationMessage(id: string, version: string, errors: readonly SchemaError[]): string {
  const first = errors[0];
  const where =
    first === undefined ? '' : `: ${first.pointer === '' ? '(root)' : first.pointer} ${first.message}`;
  return `Data does not match schema ${id}@${version}${where}`;
}
