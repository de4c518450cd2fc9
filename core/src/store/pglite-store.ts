/**
 * {@link SqlStore} on PGlite: PostgreSQL compiled to WebAssembly, running in
 * this process, in memory or persisted to a folder. The default when no
 * database URL is configured. PGlite has one connection, so statements and
 * transactions run one after another.
 */
import { PGlite, type Transaction } from '@electric-sql/pglite';

import { OrtooError } from '../errors';
import { serverMessageOf, toDatabaseError } from './database-error';
import { checkSchemaName, createSchemaSql } from './schema-name';
import type { SqlExecutor, SqlStore } from './sql-store';
import { TransactionScope } from './transaction-scope';
import { SCALAR_PARSERS, toParams } from './value-types';

/** Options of {@link PgliteStore.open}. */
export interface PgliteStoreOptions {
  /**
   * Folder holding the database files, created when missing; the data
   * outlives the process and the next open finds it.
   *
   * @defaultValue none: the database lives in memory and ends with the store
   */
  dataDir?: string;

  /**
   * Schema holding the store's tables, created when missing and made the
   * `search_path`, as on PostgreSQL.
   *
   * @defaultValue `public`
   */
  schema?: string;
}

/** A {@link SqlStore} on an in-process PGlite database. */
export class PgliteStore implements SqlStore {
  readonly engine = 'pglite' as const;

  private readonly executor: SqlExecutor;

  private constructor(private readonly db: PGlite) {
    this.executor = executorOf(db);
  }

  /**
   * Starts PGlite (a few seconds: it compiles PostgreSQL's WebAssembly) and returns the store.
   *
   * @throws OrtooError `DatabaseError` when the database cannot be started or
   *   its folder not used; `InvalidConfiguration` for a bad schema name.
   */
  static async open(options: PgliteStoreOptions = {}): Promise<PgliteStore> {
    // Checked before the slow start.
    const schema = options.schema === undefined ? undefined : checkSchemaName(options.schema);
    let db: PGlite;
    try {
      db = await PGlite.create({ dataDir: options.dataDir, parsers: SCALAR_PARSERS });
    } catch (error) {
      const where = options.dataDir === undefined ? 'in memory' : `in ${options.dataDir}`;
      throw new OrtooError('DatabaseError', `Cannot start PGlite ${where}: ${serverMessageOf(error)}`, {
        cause: error,
      });
    }
    const store = new PgliteStore(db);
    if (schema !== undefined) {
      try {
        // One connection, so a plain SET holds for every later statement.
        await store.exec(`${createSchemaSql(schema)}; SET search_path TO ${schema}`);
      } catch (error) {
        await store.close();
        throw error;
      }
    }
    return store;
  }

  async query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<R[]> {
    return this.executor.query<R>(sql, params);
  }

  async exec(sql: string): Promise<void> {
    return this.executor.exec(sql);
  }

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    // PGlite rolls back and rethrows what the callback threw; anything else
    // (BEGIN, COMMIT) is the database's failure and is wrapped.
    let thrown: { error: unknown } | undefined;
    try {
      return await this.db.transaction(async (tx) => {
        const scope = new TransactionScope(executorOf(tx));
        try {
          return await fn(scope.executor);
        } catch (error) {
          thrown = { error };
          throw error;
        } finally {
          scope.end();
        }
      });
    } catch (error) {
      if (thrown !== undefined && thrown.error === error) throw error;
      throw toDatabaseError(error, 'transaction');
    }
  }

  async ping(): Promise<void> {
    await this.query('SELECT 1');
  }

  async close(): Promise<void> {
    if (!this.db.closed) await this.db.close();
  }
}

/** Runs statements on the database or on one of its transactions, errors wrapped. */
function executorOf(target: Pick<Transaction, 'query' | 'exec'>): SqlExecutor {
  return {
    async query<R>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
      try {
        return (await target.query<R>(sql, toParams(params))).rows;
      } catch (error) {
        throw toDatabaseError(error, 'query');
      }
    },
    async exec(sql: string): Promise<void> {
      try {
        await target.exec(sql);
      } catch (error) {
        throw toDatabaseError(error, 'script');
      }
    },
  };
}
