export { createAjv, type CreateAjvOptions } from './create-ajv';
export { loadSchemaFile } from './load-schema-file';
export { protocolSchema } from './protocol-schema';
export { type SchemaError, type ValidationResult } from './schema-error';
export {
  DEFAULT_MAX_SCHEMA_ERRORS,
  SchemaRegistry,
  schemaBaseUri,
  type SchemaRegistryOptions,
} from './schema-registry';
