/**
 * Turns what `pg` and PGlite throw into one {@link OrtooError} `DatabaseError`.
 *
 * The message names what failed and the SQLSTATE, not the server's own text:
 * that text can carry table names and values, and the message may reach a
 * caller. The original error stays as `cause` for the logs.
 */
import { OrtooError, isOrtooError } from '../errors';

const SQL_STATE = /^[0-9A-Z]{5}$/;

/**
 * The SQLSTATE of a database error (e.g. `23505` for a unique violation), read
 * from the error itself or from the library error it wraps; `undefined` when
 * there is none (a connection failure, a non-database error).
 */
export function sqlStateOf(error: unknown): string | undefined {
  const code = codeOf(error);
  if (code !== undefined && SQL_STATE.test(code)) return code;
  return error instanceof Error && error.cause !== undefined ? sqlStateOf(error.cause) : undefined;
}

/**
 * Wraps `error` as `DatabaseError` with `cause`; an {@link OrtooError} passes through.
 *
 * @param action - what was being done, for the message: `query`, `commit`, ...
 */
export function toDatabaseError(error: unknown, action: string): OrtooError {
  if (isOrtooError(error)) return error;
  const sqlState = sqlStateOf(error);
  const code = codeOf(error);
  const reason =
    sqlState !== undefined ? `SQLSTATE ${sqlState}` : code !== undefined ? code : 'database unavailable';
  return new OrtooError('DatabaseError', `Database ${action} failed (${reason})`, { cause: error });
}

/** The server's own message of a database error, for operators (migrations, start-up). */
export function serverMessageOf(error: unknown): string {
  const cause = isOrtooError(error) && error.cause !== undefined ? error.cause : error;
  return cause instanceof Error ? cause.message : String(cause);
}

function codeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}
