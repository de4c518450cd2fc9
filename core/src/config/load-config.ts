import { readFileSync } from 'node:fs';
import type { JSONSchemaType, ValidateFunction } from 'ajv/dist/2020';
import { OrtooError } from '../errors';
import { createAjv } from '../schemas/create-ajv';
import { coerceEnvValue } from './coerce-env-value';
import { configProblems } from './config-problem';
import { closeObjects, ENV_KEYWORD, envOf, isObject, typeOf, type SchemaNode } from './config-schema';

/** Options of {@link loadConfig}. */
export interface LoadConfigOptions {
  /**
   * The environment to read `x-env` variables from. An empty variable counts
   * as unset. Pass `process.env` from `main.ts`; tests pass their own.
   * @defaultValue `process.env`
   */
  env?: NodeJS.ProcessEnv;
  /**
   * Path of a JSON file with configuration values; when given it must exist.
   * @defaultValue none: defaults and environment only
   */
  file?: string;
}

/**
 * Builds the configuration of a process from its schema, validated once at
 * start-up.
 *
 * Values come from, lowest precedence first: the schema's `default`s, the JSON
 * `file`, then the environment: a key whose schema node carries
 * `"x-env": "REDIS_PORT"` is set by that variable, converted to the node's
 * type (see {@link coerceEnvValue}). Defaults inside a section apply when the
 * section exists, so required sections are created empty when absent (an
 * optional one only exists if the file or an env variable gives it a value).
 * Object nodes that do not say otherwise refuse unknown keys
 * (`additionalProperties: false`).
 *
 * @returns the configuration, deeply frozen.
 * @throws OrtooError `InvalidConfiguration` listing every problem at once,
 *   each naming the key as a dotted path, its environment variable, what was
 *   expected and what was given (secrets shown as `<redacted>`), e.g.
 *   `Invalid configuration: redis.port (env REDIS_PORT) must be an integer
 *   from 1 to 65535, got "abc"`; `detail.problems` has them as
 *   `ConfigProblem`s. Also when the file is missing or not JSON, and
 *   when the schema itself is invalid.
 */
export function loadConfig<T>(schema: JSONSchemaType<T>, options: LoadConfigOptions = {}): T {
  const root = closeObjects(schema as SchemaNode);
  const ajv = createAjv({ useDefaults: true });
  ajv.addKeyword({ keyword: ENV_KEYWORD, schemaType: 'string' });
  let validate: ValidateFunction;
  try {
    validate = ajv.compile(root);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new OrtooError('InvalidConfiguration', `Invalid configuration schema: ${reason}`, { cause: error });
  }

  const data = options.file === undefined ? {} : readConfigFile(options.file);
  openRequiredSections(root, data);
  applyEnv(root, data, options.env ?? process.env, []);
  if (!validate(data)) {
    const problems = configProblems(validate.errors ?? [], root, data);
    throw new OrtooError(
      'InvalidConfiguration',
      `Invalid configuration: ${problems.map((problem) => problem.message).join('; ')}`,
      { detail: { problems } },
    );
  }
  return deepFreeze(data) as T;
}

function fileError(message: string, path: string, cause?: unknown): OrtooError {
  return new OrtooError('InvalidConfiguration', `Invalid configuration: ${message}`, {
    detail: { file: path },
    cause,
  });
}

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(error);
    throw fileError(`cannot read file ${path}: ${reason}`, path, error);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    // V8 quotes the text in its message and the file may hold secrets: keep only the position, drop the cause.
    const where = /at position \d+(?: \(line \d+ column \d+\))?/.exec(String(error))?.[0];
    throw fileError(`file ${path} is not valid JSON${where === undefined ? '' : ` (${where})`}`, path);
  }
  if (!isObject(parsed)) throw fileError(`file ${path} must contain a JSON object`, path);
  return parsed;
}

/**
 * Creates every required section the file left out, so that a missing value
 * is reported as the leaf it is (`redis.url (env REDIS_URL) is required`)
 * rather than as a missing section, and the section's defaults apply.
 */
function openRequiredSections(node: SchemaNode, data: Record<string, unknown>): void {
  if (!isObject(node.properties)) return;
  const required = Array.isArray(node.required) ? node.required : [];
  for (const [name, child] of Object.entries(node.properties)) {
    if (!isObject(child) || typeOf(child) !== 'object') continue;
    if (data[name] === undefined && required.includes(name)) data[name] = {};
    const section = data[name];
    if (isObject(section)) openRequiredSections(child, section);
  }
}

/** Writes every set `x-env` variable under `node` into `data`, creating sections as needed. */
function applyEnv(
  node: SchemaNode,
  data: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
  path: readonly string[],
): void {
  if (!isObject(node.properties)) return;
  for (const [name, child] of Object.entries(node.properties)) {
    if (!isObject(child)) continue;
    const variable = envOf(child);
    const raw = variable === undefined ? undefined : env[variable];
    if (raw !== undefined && raw !== '') setAt(data, [...path, name], coerceEnvValue(raw, child));
    applyEnv(child, data, env, [...path, name]);
  }
}

function setAt(data: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let container = data;
  for (const segment of path.slice(0, -1)) {
    const next = container[segment] ?? (container[segment] = {});
    // A section the file gave as a non-object is reported by validation; leave it be.
    if (!isObject(next)) return;
    container = next;
  }
  const last = path.at(-1);
  if (last !== undefined) container[last] = value;
}

function deepFreeze(value: unknown): unknown {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
