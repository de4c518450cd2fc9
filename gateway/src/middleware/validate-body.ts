import type { RequestHandler } from 'express';
import type { SchemaRegistry } from '../../../core/src';

/** Version under which the admin API's own body schemas are registered. */
export const ADMIN_SCHEMA_VERSION = '1';

/**
 * Checks the JSON body against a schema of `schemas/admin/` (registered as
 * `admin/<name>`); a mismatch is a 400 `Client.SchemaViolation` naming the
 * JSON pointer of every bad field.
 */
export function validateBody(schemas: SchemaRegistry, name: string): RequestHandler {
  const id = `admin/${name}`;
  return (req, _res, next) => {
    schemas.assertValid(id, ADMIN_SCHEMA_VERSION, req.body);
    next();
  };
}
