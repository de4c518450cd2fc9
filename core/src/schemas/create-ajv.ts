import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

/** Options of {@link createAjv}. */
export interface CreateAjvOptions {
  /**
   * Fill in missing properties from the schema's `default`, mutating the data
   * being validated. Only configuration wants this; payloads are never changed.
   * @defaultValue false
   */
  useDefaults?: boolean;
}

/**
 * The one way Örtöö sets up Ajv, so service schemas and configuration schemas
 * are read by the same rules: JSON Schema 2020-12, strict mode (an unknown
 * keyword or a keyword that cannot apply is a schema error, not silently
 * ignored), every error reported rather than the first, and the standard
 * formats (`date`, `email`, `uuid`, `uri`, ...) from ajv-formats.
 *
 * Union types (`"type": ["string", "null"]`) are allowed: they are how nullable
 * fields are written in 2020-12, and strict mode would otherwise reject them.
 */
export function createAjv(options: CreateAjvOptions = {}): Ajv2020 {
  const ajv = new Ajv2020({
    strict: true,
    allowUnionTypes: true,
    allErrors: true,
    useDefaults: options.useDefaults ?? false,
  });
  addFormats(ajv);
  return ajv;
}
