import { readFileSync } from 'node:fs';
import { SchemaRegistry } from './schema-registry';
import type { ValidationResult } from './schema-error';

/** Most errors reported against a protocol schema: a sender needs the first few. */
const MAX_ERRORS = 5;

/**
 * A validator of one of the protocol's own schema files (`schemas/*.schema.json`):
 * read and compiled on first use, once per process, so importing a module
 * costs nothing until a message needs checking.
 */
export function protocolSchema(file: string): (value: unknown) => ValidationResult {
  let registry: SchemaRegistry | undefined;
  return (value) => {
    if (registry === undefined) {
      const compiled = new SchemaRegistry({ maxErrors: MAX_ERRORS });
      compiled.register(file, '1', JSON.parse(readFileSync(file, 'utf8')));
      registry = compiled;
    }
    return registry.validate(file, '1', value);
  };
}
