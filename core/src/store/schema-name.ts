/**
 * The schema a store keeps its tables in, so that tests and several
 * deployments can share one PostgreSQL database without seeing each other.
 */
import { OrtooError } from '../errors';

// Lower-case unquoted identifiers only: the name then needs no quoting in a
// connection parameter or in SQL, and PostgreSQL folds it to itself.
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Returns `name` when it is a valid schema name.
 *
 * @throws OrtooError `InvalidConfiguration` otherwise.
 */
export function checkSchemaName(name: string): string {
  if (!SCHEMA_NAME.test(name)) {
    throw new OrtooError(
      'InvalidConfiguration',
      `Invalid database schema name "${name}": use lower-case letters, digits and _ (at most 63, not starting with a digit)`,
    );
  }
  return name;
}

/** SQL that creates the schema unless it exists. */
export function createSchemaSql(name: string): string {
  return `CREATE SCHEMA IF NOT EXISTS ${checkSchemaName(name)}`;
}
