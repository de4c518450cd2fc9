import type { ErrorObject } from 'ajv/dist/2020';
import { envOf, isObject, nodesAlong, typeOf, type SchemaNode } from './config-schema';

/** One thing wrong with the configuration, as reported in `detail.problems`. */
export interface ConfigProblem {
  /** The key as a dotted path, array items as `[n]`, e.g. `redis.port`, `cors.origins[1]`. */
  key: string;
  /** The environment variable that sets the key, when the schema names one. */
  env?: string;
  /** One sentence naming the key, what was expected and what was given. */
  message: string;
}

/** Keys whose values are never printed. */
const SECRET_NAME = /password|token|secret|key/i;
/** The password in a URL such as `redis://user:password@host`. */
const URL_PASSWORD = /(\/\/[^/?#@:]*:)[^/?#@]*@/;
/** Longest value quoted in a message. */
const MAX_SHOWN = 80;

/** Keywords {@link expectation} accounts for; other failures quote Ajv's message. */
const DESCRIBED = new Set([
  'type',
  'enum',
  'const',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'minLength',
  'maxLength',
  'pattern',
  'format',
  'minItems',
  'maxItems',
]);

function unescapeToken(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

function keyOf(segments: readonly string[]): string {
  return segments.reduce(
    (key, segment) =>
      /^\d+$/.test(segment) ? `${key}[${segment}]` : key === '' ? segment : `${key}.${segment}`,
    '',
  );
}

function valueAt(data: unknown, segments: readonly string[]): unknown {
  let value = data;
  for (const segment of segments) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

/** What a node accepts, in words: `an integer from 1 to 65535`, `a string in uri format`. */
function expectation(node: SchemaNode): string | undefined {
  if (Array.isArray(node.enum)) return `one of ${node.enum.map((v) => JSON.stringify(v)).join(', ')}`;
  if ('const' in node) return `exactly ${JSON.stringify(node.const)}`;
  const type = typeOf(node);
  switch (type) {
    case 'integer':
    case 'number':
      return `${type === 'integer' ? 'an integer' : 'a number'}${range(node)}`;
    case 'boolean':
      return 'true or false';
    case 'string':
      return `a ${node.minLength === 1 ? 'non-empty ' : ''}string${stringQualifiers(node)}`;
    case 'array': {
      const itemType = isObject(node.items) ? typeOf(node.items) : undefined;
      const noun = itemType === undefined || itemType === 'object' ? 'values' : `${itemType}s`;
      return `a list of ${noun}${countQualifier(node.minItems, node.maxItems, 'item')}`;
    }
    case 'object':
      return 'an object';
    default:
      return undefined;
  }
}

function range(node: SchemaNode): string {
  const { minimum, maximum, exclusiveMinimum, exclusiveMaximum } = node;
  if (typeof minimum === 'number' && typeof maximum === 'number') return ` from ${minimum} to ${maximum}`;
  const bounds = [
    typeof minimum === 'number' ? `at least ${minimum}` : undefined,
    typeof exclusiveMinimum === 'number' ? `greater than ${exclusiveMinimum}` : undefined,
    typeof maximum === 'number' ? `at most ${maximum}` : undefined,
    typeof exclusiveMaximum === 'number' ? `less than ${exclusiveMaximum}` : undefined,
  ].filter((bound) => bound !== undefined);
  return bounds.length === 0 ? '' : ` ${bounds.join(' and ')}`;
}

function stringQualifiers(node: SchemaNode): string {
  const { format, pattern, minLength, maxLength } = node;
  return [
    typeof format === 'string' ? ` in ${format} format` : '',
    typeof pattern === 'string' ? ` matching /${pattern}/` : '',
    minLength === 1 && maxLength === undefined ? '' : countQualifier(minLength, maxLength, 'character'),
  ].join('');
}

function countQualifier(min: unknown, max: unknown, unit: string): string {
  if (typeof min === 'number' && typeof max === 'number') return ` of ${min} to ${max} ${unit}s`;
  if (typeof min === 'number') return ` of at least ${min} ${unit}${min === 1 ? '' : 's'}`;
  if (typeof max === 'number') return ` of at most ${max} ${unit}${max === 1 ? '' : 's'}`;
  return '';
}

/** A value as quoted in a message: JSON, shortened, with secrets withheld. */
function shown(value: unknown, secret: boolean): string {
  if (secret) return '<redacted>';
  const text = JSON.stringify(
    typeof value === 'string' ? value.replace(URL_PASSWORD, '$1<redacted>@') : value,
  );
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN - 1)}…` : text;
}

/**
 * Turns Ajv's errors for the configuration into one {@link ConfigProblem} per
 * key, each naming the key as a dotted path and its environment variable.
 * Values of keys whose name (or env variable) suggests a secret (`password`,
 * `token`, `secret`, `key`) are shown as `<redacted>`, and the password part
 * of any URL is withheld.
 */
export function configProblems(
  errors: readonly ErrorObject[],
  schema: SchemaNode,
  data: unknown,
): ConfigProblem[] {
  const problems = new Map<string, ConfigProblem>();
  for (const error of errors) {
    const segments = error.instancePath.split('/').slice(1).map(unescapeToken);
    const params = error.params as Record<string, unknown>;
    const missing = error.keyword === 'required' ? String(params.missingProperty) : undefined;
    const unknown = error.keyword === 'additionalProperties' ? String(params.additionalProperty) : undefined;
    const parent = nodesAlong(schema, segments).at(-1) ?? schema;
    if (missing !== undefined) segments.push(missing);
    if (unknown !== undefined) segments.push(unknown);

    const key = keyOf(segments);
    if (problems.has(key)) continue;
    const nodes = nodesAlong(schema, segments);
    const env = nodes.reduce<string | undefined>((found, node) => envOf(node) ?? found, undefined);
    const label = env === undefined ? key : `${key} (env ${env})`;
    const node = nodes.length === segments.length ? nodes.at(-1) : undefined;
    const expected = node === undefined ? undefined : expectation(node);

    let message: string;
    if (unknown !== undefined) {
      const known = isObject(parent.properties) ? Object.keys(parent.properties) : [];
      message = `${key} is not a known key${known.length > 0 ? ` (known keys: ${known.join(', ')})` : ''}`;
    } else if (missing !== undefined) {
      message = `${label} is required${expected === undefined ? '' : `: ${expected}`}`;
    } else {
      const secret = segments.some((segment) => SECRET_NAME.test(segment)) || SECRET_NAME.test(env ?? '');
      const given = shown(valueAt(data, segments), secret);
      message =
        expected !== undefined && DESCRIBED.has(error.keyword)
          ? `${label} must be ${expected}, got ${given}`
          : `${label} ${error.message ?? `must pass ${error.keyword}`}, got ${given}`;
    }
    problems.set(key, env === undefined ? { key, message } : { key, env, message });
  }
  return [...problems.values()];
}
