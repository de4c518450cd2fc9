import { isObject, typeOf, type SchemaNode } from './config-schema';

/**
 * Turns an environment variable's string into the type its schema node wants:
 * `integer` and `number` from their decimal form, `boolean` from `true`,
 * `false`, `1` or `0`, `array` from a comma-separated list (each item coerced
 * by the `items` schema, empty items dropped).
 *
 * A string that does not convert is returned unchanged, so validation reports
 * it with the value the operator gave. Coercion is per key, never Ajv's global
 * `coerceTypes`, so a value of the wrong type in the JSON file stays an error.
 */
export function coerceEnvValue(raw: string, node: SchemaNode): unknown {
  const text = raw.trim();
  switch (typeOf(node)) {
    case 'integer':
      return /^[+-]?\d+$/.test(text) ? Number(text) : raw;
    case 'number':
      return text !== '' && Number.isFinite(Number(text)) ? Number(text) : raw;
    case 'boolean': {
      const word = text.toLowerCase();
      if (word === 'true' || word === '1') return true;
      if (word === 'false' || word === '0') return false;
      return raw;
    }
    case 'array': {
      const items = isObject(node.items) ? node.items : {};
      return raw
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== '')
        .map((item) => coerceEnvValue(item, items));
    }
    default:
      return raw;
  }
}
