/**
 * The OpenAPI documents the tests publish and check: the demo civil
 * registry's REST API (3.0, YAML) and a small pet store (3.1, JSON) with
 * recursive schemas, ranges and templated segments.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

/** `schemas/services/civil-registry/records.openapi.yaml`, as text. */
export const RECORDS_OPENAPI_YAML = readFileSync(
  path.join(ROOT, 'schemas/services/civil-registry/records.openapi.yaml'),
  'utf8',
);

/** `tests/fixtures/openapi/pets-3.1.json`, as text. */
export const PETS_OPENAPI_JSON = readFileSync(
  path.join(ROOT, 'tests/fixtures/openapi/pets-3.1.json'),
  'utf8',
);
