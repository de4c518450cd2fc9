import { readFileSync } from 'node:fs';
import { SchemaRegistry, type SchemaError } from '../../../core/src/schemas';
import { repoPath, schemaFilesOf, type DemoService } from '../demo-data';

/** Checks a request body against its service's request schema: the errors, or none when it matches. */
export type RequestValidator = (body: unknown) => readonly SchemaError[];

/**
 * A validator of `service`'s request bodies, by the very schema file the
 * gateway is given (read and compiled once, here), so a backend called
 * directly refuses what the exchange would.
 */
export function requestValidator(service: DemoService): RequestValidator {
  const registry = new SchemaRegistry({ maxErrors: 5 });
  const schema = JSON.parse(readFileSync(repoPath(schemaFilesOf(service).requestSchema), 'utf8')) as object;
  registry.register(service.id, service.version, schema);
  return (body) => {
    const result = registry.validate(service.id, service.version, body);
    return result.valid ? [] : result.errors;
  };
}
