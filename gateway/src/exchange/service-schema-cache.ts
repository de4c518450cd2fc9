import {
  CompiledServiceApi,
  OrtooError,
  SchemaRegistry,
  readServiceApi,
  type SqlExecutor,
} from '../../../core/src';

/** Under this id the registry keeps service schemas; the version is the schema's hash. */
const SCHEMA_ID = 'service';

/**
 * Service schemas, and OpenAPI documents' operations, compiled for validation, by content hash. A hash names one
 * schema for ever, so a compiled validator never goes stale: when an
 * administrator registers a new version, the global configuration names a new
 * hash and that one is loaded and compiled, once, on first use.
 */
export class ServiceSchemaCache {
  readonly #db: SqlExecutor;
  readonly #registry = new SchemaRegistry();
  readonly #loading = new Map<string, Promise<void>>();
  readonly #apis = new Map<string, Promise<CompiledServiceApi>>();

  constructor(db: SqlExecutor) {
    this.#db = db;
  }

  /**
   * Checks `body` against the schema with this hash.
   *
   * @throws OrtooError `SchemaViolation` with the errors as JSON pointers;
   *   `DatabaseError` when the schema cannot be loaded.
   */
  async assertValid(hash: string, body: unknown): Promise<void> {
    await this.#load(hash);
    this.#registry.assertValid(SCHEMA_ID, hash, body);
  }

  /**
   * The operations of the OpenAPI document with this hash, compiled once
   * (publication compiled it too, in a worker within a time bound, so this
   * is known to be quick). A hash names one document for ever.
   *
   * @throws OrtooError `UnknownService` when no service has it any more;
   *   `DatabaseError` when it cannot be loaded.
   */
  api(hash: string): Promise<CompiledServiceApi> {
    let api = this.#apis.get(hash);
    if (api === undefined) {
      api = this.#fetchApi(hash).catch((error: unknown) => {
        this.#apis.delete(hash);
        throw error;
      });
      this.#apis.set(hash, api);
    }
    return api;
  }

  async #fetchApi(hash: string): Promise<CompiledServiceApi> {
    const [row] = await this.#db.query<{ document: Record<string, unknown> }>(
      'SELECT openapi_document AS document FROM services WHERE openapi_hash = $1 LIMIT 1',
      [hash],
    );
    if (row === undefined) {
      throw new OrtooError('UnknownService', "The service's OpenAPI document is no longer registered", {
        detail: { hash },
      });
    }
    return new CompiledServiceApi(readServiceApi(row.document));
  }

  #load(hash: string): Promise<void> {
    let loading = this.#loading.get(hash);
    if (loading === undefined) {
      loading = this.#fetch(hash).catch((error: unknown) => {
        this.#loading.delete(hash); // a failed load is tried again by the next message
        throw error;
      });
      this.#loading.set(hash, loading);
    }
    return loading;
  }

  async #fetch(hash: string): Promise<void> {
    const rows = await this.#db.query<{ schema: Record<string, unknown> }>(
      `SELECT request_schema AS schema FROM services WHERE request_schema_hash = $1
       UNION ALL
       SELECT response_schema AS schema FROM services WHERE response_schema_hash = $1
       LIMIT 1`,
      [hash],
    );
    const schema = rows[0]?.schema;
    if (schema === undefined) {
      throw new OrtooError('UnknownService', 'The service schema is no longer registered', {
        detail: { hash },
      });
    }
    this.#registry.register(SCHEMA_ID, hash, schema);
  }
}
