/**
 * Keeps a transaction's executor from being used once the transaction is over:
 * a query that was not awaited inside `transaction()` would otherwise run on a
 * pooled connection that another caller may already hold.
 */
import { OrtooError } from '../errors';
import type { SqlExecutor } from './sql-store';

/** An executor valid until {@link TransactionScope.end} is called. */
export class TransactionScope {
  private open = true;

  /** The executor handed to the transaction's callback. */
  readonly executor: SqlExecutor;

  constructor(inner: SqlExecutor) {
    this.executor = {
      query: async <R>(sql: string, params?: readonly unknown[]): Promise<R[]> => {
        this.check();
        return inner.query<R>(sql, params);
      },
      exec: async (sql: string): Promise<void> => {
        this.check();
        return inner.exec(sql);
      },
    };
  }

  /** Ends the scope: the executor refuses every later call. */
  end(): void {
    this.open = false;
  }

  private check(): void {
    if (!this.open) {
      throw new OrtooError('InternalError', 'Transaction executor used after its transaction ended');
    }
  }
}
