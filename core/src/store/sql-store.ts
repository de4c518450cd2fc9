/**
 * The one SQL interface the gateway and the security servers use, whichever
 * engine sits underneath: PostgreSQL over the network (`pg`) or PGlite in the
 * process. SQL is PostgreSQL's on both, with `$1`-style placeholders, and values
 * come back as the same JavaScript types (see `value-types.ts`).
 */

/** Which engine a {@link SqlStore} runs on. */
export type SqlEngine = 'postgres' | 'pglite';

/** Runs SQL: a store itself, or the executor of one transaction. */
export interface SqlExecutor {
  /**
   * Runs one statement with `$1`, `$2`, ... bound to `params` and returns its rows.
   *
   * Parameters: strings, numbers, booleans, `null`, `bigint`, `Date`, `Buffer`
   * or `Uint8Array` (for `bytea`), plain objects (sent as JSON) and arrays of
   * scalars (sent as PostgreSQL arrays). A JSON array for a `json`/`jsonb`
   * parameter must be passed as `JSON.stringify(value)`: without type
   * information `pg` would send it as a PostgreSQL array.
   *
   * @throws OrtooError `DatabaseError` when the database refuses or cannot be reached.
   */
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<R[]>;

  /**
   * Runs a script of one or more statements without parameters (a migration,
   * a schema set-up) and discards any rows.
   *
   * @throws OrtooError `DatabaseError` when the database refuses or cannot be reached.
   */
  exec(sql: string): Promise<void>;
}

/** A SQL database: runs statements and transactions, and owns its connections. */
export interface SqlStore extends SqlExecutor {
  /** The engine underneath. */
  readonly engine: SqlEngine;

  /**
   * Runs `fn` in one transaction: commits when it resolves, rolls back and
   * rethrows its error when it rejects. Inside `fn`, use only `tx`: the store's
   * own `query` runs outside the transaction, and on PGlite (one connection)
   * waits for it to end, so awaiting it inside `fn` never returns.
   *
   * @throws OrtooError `DatabaseError` when the transaction cannot begin or
   *   commit; otherwise whatever `fn` threw.
   */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;

  /**
   * Checks that the database answers (for `/readyz`).
   *
   * @throws OrtooError `DatabaseError` when it does not.
   */
  ping(): Promise<void>;

  /** Closes every connection. Calling it again does nothing. */
  close(): Promise<void>;
}
