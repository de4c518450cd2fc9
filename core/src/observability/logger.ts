import type { Writable } from 'node:stream';
import winston from 'winston';
import { OrtooError } from '../errors';

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** Name of the process, written as `service` on every line, e.g. `gateway`. */
  service: string;
  /**
   * Least severe level written: `error`, `warn`, `info`, `http`, `verbose`,
   * `debug` or `silly`.
   * @defaultValue 'info'
   */
  level?: string;
  /**
   * Where the JSON lines go; tests pass a `PassThrough`.
   * @defaultValue `process.stdout`
   */
  stream?: Writable;
}

/** A winston logger writing one JSON object per line. */
export type Logger = winston.Logger;

/**
 * The context an exchange's log lines carry, for `logger.child(context)`.
 * The X-Road service is `serviceId`: `service` is taken by the process name,
 * which winston would let win over a child's `service`.
 */
export interface LogContext {
  messageId?: string;
  /** The client subsystem, e.g. `MN/GOV/9011311/e-services`. */
  client?: string;
  /** The service called, e.g. `MN/GOV/9011311/civil-registry/person`. */
  serviceId?: string;
  [field: string]: unknown;
}

/** The placeholder written instead of a withheld value. */
export const REDACTED = '<redacted>';

/** Field names (lower case) whose values are never logged. */
const SECRET_FIELDS = new Set([
  'body',
  'payload',
  'password',
  'token',
  'authorization',
  'privatekey',
  'key',
  'secret',
]);
/** Endings that mark a field as secret too: `accessToken`, `clientSecret`, `apiKey`. */
const SECRET_SUFFIXES = ['password', 'passphrase', 'token', 'secret', 'privatekey', 'apikey'];

function isSecretField(name: string): boolean {
  const lower = name.toLowerCase();
  return SECRET_FIELDS.has(lower) || SECRET_SUFFIXES.some((suffix) => lower.endsWith(suffix));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** An error as a log field: typed errors by code only, unexpected ones with their stack. */
function errorField(error: Error, depth = 0): Record<string, unknown> {
  const cause =
    depth < 3 && error.cause instanceof Error ? { cause: errorField(error.cause, depth + 1) } : {};
  if (error instanceof OrtooError) {
    return { type: error.type, code: error.code, message: error.message, ...cause };
  }
  return { type: error.name, message: error.message, stack: error.stack, ...cause };
}

/** A copy of `fields` with secret fields replaced by {@link REDACTED}. */
function redactFields(fields: Record<string, unknown>): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(fields)) copy[name] = isSecretField(name) ? REDACTED : value;
  return copy;
}

/**
 * The guard rule: logs never carry payloads, tokens or keys. Every field named
 * `body`, `payload`, `password`, `token`, `authorization`, `privateKey`, `key`
 * or `secret` (any case), or ending in `password`, `passphrase`, `token`,
 * `secret`, `privateKey` or `apiKey`, is written as `<redacted>`, at the top
 * level and one level down (`{ headers: { authorization } }`); nested objects
 * are copied, never changed. Errors become `{ type, code, message }` for an
 * {@link OrtooError}, whose message is meant for callers, and
 * `{ type, message, stack }` for anything unexpected, with their `cause`s.
 */
const guardFormat = winston.format((info) => {
  for (const [name, value] of Object.entries(info)) {
    if (isSecretField(name)) info[name] = REDACTED;
    else if (value instanceof Error) info[name] = errorField(value);
    else if (isPlainObject(value)) info[name] = redactFields(value);
  }
  return info;
});

/**
 * A JSON logger for one process: one object per line with `timestamp`,
 * `level`, `message`, `service` and the fields given, passed through
 * {@link guardFormat}. Log an error as `logger.error('what failed', { error })`;
 * give an exchange its context with `logger.child({ messageId, client, serviceId })`.
 *
 * @throws OrtooError `InvalidConfiguration` for an unknown level.
 */
export function createLogger(options: LoggerOptions): Logger {
  const level = options.level ?? 'info';
  if (!Object.hasOwn(winston.config.npm.levels, level)) {
    throw new OrtooError('InvalidConfiguration', `Unknown log level "${level}"`, {
      detail: { level, levels: Object.keys(winston.config.npm.levels) },
    });
  }
  return winston.createLogger({
    level,
    levels: winston.config.npm.levels,
    defaultMeta: { service: options.service },
    format: winston.format.combine(guardFormat(), winston.format.timestamp(), winston.format.json()),
    transports: [new winston.transports.Stream({ stream: options.stream ?? process.stdout })],
  });
}
