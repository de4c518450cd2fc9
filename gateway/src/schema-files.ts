import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { SchemaRegistry } from '../../core/src';
import { ADMIN_SCHEMA_VERSION } from './middleware/validate-body';

/** The repository's `schemas/` folder. */
export const SCHEMAS_DIR = path.resolve(__dirname, '../../schemas');

/** The admin API's body schemas: `schemas/admin/<name>.schema.json`. */
export function adminSchemaFiles(): { name: string; schema: Record<string, unknown> }[] {
  const dir = path.join(SCHEMAS_DIR, 'admin');
  return readdirSync(dir)
    .filter((file) => file.endsWith('.schema.json'))
    .sort()
    .map((file) => ({
      name: file.slice(0, -'.schema.json'.length),
      schema: JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as Record<string, unknown>,
    }));
}

/** A schema registry holding every admin body schema, compiled once at start-up. */
export function createAdminSchemaRegistry(): SchemaRegistry {
  const registry = new SchemaRegistry();
  for (const { name, schema } of adminSchemaFiles())
    registry.register(`admin/${name}`, ADMIN_SCHEMA_VERSION, schema);
  return registry;
}
