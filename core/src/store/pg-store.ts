/**
 * {@link SqlStore} over a PostgreSQL server, through a `pg` connection pool.
 */
import pg from 'pg';

import { OrtooError } from '../errors';
import { serverMessageOf, sqlStateOf, toDatabaseError } from './database-error';
import { checkSchemaName, createSchemaSql } from './schema-name';
import type { SqlExecutor, SqlStore } from './sql-store';
import { TransactionScope } from './transaction-scope';
import { PG_TYPES, toParams } from './value-types';

/** Default of {@link PgStoreOptions.maxConnections}. */
export const DEFAULT_MAX_CONNECTIONS = 10;

/** Default of {@link PgStoreOptions.connectTimeoutMs}. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5000;

/** Options of {@link PgStore.open}. */
export interface PgStoreOptions {
  /** PostgreSQL connection URL, e.g. `postgres://user:password@host:5432/database`. */
  connectionString: string;

  /**
   * Schema holding the store's tables: created when missing and made the only
   * schema on every connection's `search_path`, so that several deployments or
   * test runs can share one database.
   *
   * @defaultValue the server's own `search_path` (normally `public`)
   */
  schema?: string;

  /**
   * Most connections the pool opens.
   *
   * @defaultValue {@link DEFAULT_MAX_CONNECTIONS}
   */
  maxConnections?: number;

  /**
   * How long to wait for a connection, new or from the pool, before failing
   * with `DatabaseError` rather than hanging.
   *
   * @defaultValue {@link DEFAULT_CONNECT_TIMEOUT_MS}
   */
  connectTimeoutMs?: number;
}

// PostgreSQL error codes a concurrent `CREATE SCHEMA IF NOT EXISTS` can still raise.
const SCHEMA_RACE = new Set(['23505', '42P06']);

/** A {@link SqlStore} on a PostgreSQL server. */
export class PgStore implements SqlStore {
  readonly engine = 'postgres' as const;
  private closed = false;

  private constructor(private readonly pool: pg.Pool) {}

  /**
   * Connects (creating the schema when one is named) and returns the store.
   *
   * @throws OrtooError `InvalidConfiguration` for a malformed URL or schema name;
   *   `DatabaseError` when the server cannot be reached or refuses, with a
   *   message that never contains the password.
   */
  static async open(options: PgStoreOptions): Promise<PgStore> {
    const target = describeTarget(options.connectionString);
    const schema = options.schema === undefined ? undefined : checkSchemaName(options.schema);
    const pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
      connectionTimeoutMillis: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      types: PG_TYPES,
      // A startup parameter, so that every connection the pool ever opens has it.
      ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }),
    });
    // An idle connection the server dropped: pg discards it and the next query
    // opens a fresh one (or reports the failure). Unhandled, it would end the process.
    pool.on('error', () => undefined);
    const store = new PgStore(pool);
    try {
      if (schema === undefined) await pool.query('SELECT 1');
      else await useSchema(pool, schema);
    } catch (error) {
      await pool.end();
      if (error instanceof OrtooError) throw error;
      throw new OrtooError(
        'DatabaseError',
        redact(`Cannot open PostgreSQL at ${target}: ${serverMessageOf(error)}`, options.connectionString),
        { cause: error },
      );
    }
    return store;
  }

  async query<R = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
    return runQuery<R>(this.pool, sql, params);
  }

  async exec(sql: string): Promise<void> {
    return runScript(this.pool, sql);
  }

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw toDatabaseError(error, 'connection');
    }
    const scope = new TransactionScope({
      query: (sql, params = []) => runQuery(client, sql, params),
      exec: (sql) => runScript(client, sql),
    });
    let broken = false;
    try {
      await client.query('BEGIN').catch((error: unknown) => {
        throw toDatabaseError(error, 'begin');
      });
      const result = await fn(scope.executor);
      await client.query('COMMIT').catch((error: unknown) => {
        throw toDatabaseError(error, 'commit');
      });
      return result;
    } catch (error) {
      // After a failed COMMIT the server has already rolled back; ROLLBACK then only warns.
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw error;
    } finally {
      scope.end();
      // A connection whose ROLLBACK failed is in an unknown state: destroy it, never reuse it.
      client.release(broken);
    }
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1').catch((error: unknown) => {
      throw toDatabaseError(error, 'ping');
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}

async function runQuery<R>(
  runner: pg.Pool | pg.PoolClient,
  sql: string,
  params: readonly unknown[],
): Promise<R[]> {
  try {
    // The extended protocol even without parameters: one statement per call, as on PGlite.
    const config: pg.QueryConfig & { queryMode: 'extended' } = {
      text: sql,
      values: toParams(params),
      queryMode: 'extended',
    };
    const result = await runner.query(config);
    return result.rows as R[];
  } catch (error) {
    throw toDatabaseError(error, 'query');
  }
}

async function runScript(runner: pg.Pool | pg.PoolClient, sql: string): Promise<void> {
  try {
    await runner.query(sql);
  } catch (error) {
    throw toDatabaseError(error, 'script');
  }
}

async function useSchema(pool: pg.Pool, schema: string): Promise<void> {
  try {
    await pool.query(createSchemaSql(schema));
  } catch (error) {
    // Another process created it between our check and our insert: it exists, as wanted.
    const state = sqlStateOf(error);
    if (state === undefined || !SCHEMA_RACE.has(state)) throw error;
  }
  const rows = (await pool.query<{ schema: string | null }>('SELECT current_schema() AS schema')).rows;
  if (rows[0]?.schema !== schema) {
    throw new OrtooError(
      'InvalidConfiguration',
      `Database schema "${schema}" is not in effect: the connection string's own "options" parameter overrides it`,
    );
  }
}

/** `host:port/database` of a connection URL, for messages; never the user's password. */
function describeTarget(connectionString: string): string {
  let url: URL;
  try {
    url = new URL(connectionString);
  } catch {
    // Neither the string nor the parser's error goes into the message: both hold the password.
    throw new OrtooError(
      'InvalidConfiguration',
      'Database URL is not a valid URL (URL-encode special characters)',
    );
  }
  return `${url.hostname || 'localhost'}:${url.port || '5432'}${url.pathname}`;
}

/** Removes the URL's password from `message`, should a library ever echo it. */
function redact(message: string, connectionString: string): string {
  const password = new URL(connectionString).password;
  if (password === '') return message;
  let decoded = password;
  try {
    decoded = decodeURIComponent(password);
  } catch {
    // Not valid percent-encoding: only the raw form can appear.
  }
  return message.split(password).join('***').split(decoded).join('***');
}
