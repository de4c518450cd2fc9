import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { SCHEMAS_DIR, adminSchemaFiles } from './schema-files';

type Json = Record<string, unknown>;

/** `member-create` → `MemberCreate`: the component name of an admin body schema. */
export function componentName(schemaName: string): string {
  return schemaName.replace(/(^|-)([a-z0-9])/g, (_match, _dash, letter: string) => letter.toUpperCase());
}

/**
 * The OpenAPI 3.1 description of the admin API, put together from the files
 * in `schemas/admin-api/`: `openapi.json` (info, security, shared
 * components), one `paths/<area>.json` per part of the API, and the body
 * schemas of `schemas/admin/` as `#/components/schemas/<Name>`: the very
 * schemas the gateway validates with, so the description cannot drift.
 */
export function buildOpenApiDocument(): Json {
  const dir = path.join(SCHEMAS_DIR, 'admin-api');
  const read = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Json;
  const document = read(path.join(dir, 'openapi.json'));
  const paths: Json = { ...((document.paths as Json | undefined) ?? {}) };
  const components = (document.components as Json | undefined) ?? {};
  const schemas: Json = { ...((components.schemas as Json | undefined) ?? {}) };
  for (const file of readdirSync(path.join(dir, 'paths')).sort()) {
    if (!file.endsWith('.json')) continue;
    const part = read(path.join(dir, 'paths', file));
    Object.assign(paths, part.paths ?? {});
    Object.assign(schemas, (part.components as Json | undefined)?.schemas ?? {});
  }
  for (const { name, schema } of adminSchemaFiles()) {
    const { $schema, $id, ...body } = schema; // the description names its dialect once, at the top
    schemas[componentName(name)] = body;
  }
  return { ...document, paths, components: { ...components, schemas } };
}
