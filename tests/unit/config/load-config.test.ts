import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JSONSchemaType } from 'ajv/dist/2020';
import { OrtooError } from '../../../core/src/errors';
import { loadConfig, type ConfigProblem, type LoadConfigOptions } from '../../../core/src/config';

/** A configuration of the kind a server defines: nested sections, defaults, env names. */
interface GatewayConfig {
  port: number;
  publicUrl?: string;
  logLevel: 'error' | 'warn' | 'info' | 'debug';
  trustProxy: boolean;
  redis: { url: string; port: number; password?: string };
  audit: { batchSize: number; signingKeyFile?: string };
  cors: { origins: string[] };
}

const schema: JSONSchemaType<GatewayConfig> = {
  type: 'object',
  required: ['port', 'logLevel', 'trustProxy', 'redis', 'audit', 'cors'],
  properties: {
    port: { type: 'integer', minimum: 1, maximum: 65535, default: 8443, 'x-env': 'PORT' },
    publicUrl: { type: 'string', format: 'uri', nullable: true, 'x-env': 'PUBLIC_URL' },
    logLevel: {
      type: 'string',
      enum: ['error', 'warn', 'info', 'debug'],
      default: 'info',
      'x-env': 'LOG_LEVEL',
    },
    trustProxy: { type: 'boolean', default: false, 'x-env': 'TRUST_PROXY' },
    redis: {
      type: 'object',
      required: ['url', 'port'],
      properties: {
        url: { type: 'string', format: 'uri', 'x-env': 'REDIS_URL' },
        port: { type: 'integer', minimum: 1, maximum: 65535, default: 6379, 'x-env': 'REDIS_PORT' },
        password: { type: 'string', nullable: true, minLength: 12, 'x-env': 'REDIS_PASSWORD' },
      },
    },
    audit: {
      type: 'object',
      required: ['batchSize'],
      properties: {
        batchSize: { type: 'integer', minimum: 1, default: 100, 'x-env': 'AUDIT_BATCH_SIZE' },
        signingKeyFile: { type: 'string', nullable: true, minLength: 1, 'x-env': 'AUDIT_SIGNING_KEY_FILE' },
      },
    },
    cors: {
      type: 'object',
      required: ['origins'],
      properties: {
        origins: {
          type: 'array',
          items: { type: 'string', format: 'uri' },
          default: [],
          'x-env': 'CORS_ORIGINS',
        },
      },
    },
  },
};

const REDIS = { REDIS_URL: 'redis://localhost' };

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ortoo-config-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function configFile(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

/** Runs loadConfig and returns the InvalidConfiguration error it throws. */
function failure(options: LoadConfigOptions): OrtooError & { detail: { problems: ConfigProblem[] } } {
  try {
    loadConfig(schema, options);
  } catch (error) {
    if (error instanceof OrtooError && error.code === 'InvalidConfiguration') {
      return error as OrtooError & { detail: { problems: ConfigProblem[] } };
    }
    throw error;
  }
  throw new Error('expected InvalidConfiguration');
}

describe('loadConfig', () => {
  describe('sources', () => {
    it('fills in the schema defaults, sections included', () => {
      expect(loadConfig(schema, { env: REDIS })).toEqual({
        port: 8443,
        logLevel: 'info',
        trustProxy: false,
        redis: { url: 'redis://localhost', port: 6379 },
        audit: { batchSize: 100 },
        cors: { origins: [] },
      });
    });

    it('takes values from the JSON file over the defaults', () => {
      const file = configFile('file.json', { port: 9000, redis: { url: 'redis://cache:6380', port: 6380 } });
      expect(loadConfig(schema, { env: {}, file })).toMatchObject({
        port: 9000,
        logLevel: 'info',
        redis: { url: 'redis://cache:6380', port: 6380 },
      });
    });

    it('takes values from the environment over the file', () => {
      const file = configFile('overridden.json', {
        port: 9000,
        logLevel: 'warn',
        redis: { url: 'redis://file' },
      });
      const config = loadConfig(schema, { env: { PORT: '9100', REDIS_URL: 'redis://env' }, file });
      expect(config).toMatchObject({
        port: 9100,
        logLevel: 'warn',
        redis: { url: 'redis://env', port: 6379 },
      });
    });

    it('treats an empty environment variable as unset', () => {
      expect(loadConfig(schema, { env: { ...REDIS, PORT: '' } }).port).toBe(8443);
    });

    it('ignores variables the schema does not name', () => {
      expect(loadConfig(schema, { env: { ...REDIS, REDIS_HOST: 'elsewhere' } }).redis).toEqual({
        url: 'redis://localhost',
        port: 6379,
      });
    });

    it('returns a deeply frozen object', () => {
      const config = loadConfig(schema, { env: { ...REDIS, CORS_ORIGINS: 'https://a.mn' } });
      expect(Object.isFrozen(config)).toBe(true);
      expect(Object.isFrozen(config.redis)).toBe(true);
      expect(Object.isFrozen(config.cors.origins)).toBe(true);
    });
  });

  describe('environment coercion', () => {
    it.each([
      ['integer', { PORT: ' 9443 ' }, { port: 9443 }],
      ['boolean true', { TRUST_PROXY: 'true' }, { trustProxy: true }],
      ['boolean 1', { TRUST_PROXY: '1' }, { trustProxy: true }],
      ['boolean false', { TRUST_PROXY: 'FALSE' }, { trustProxy: false }],
      ['boolean 0', { TRUST_PROXY: '0' }, { trustProxy: false }],
      [
        'comma-separated list',
        { CORS_ORIGINS: 'https://e-mongolia.mn, https://gov.mn,' },
        { cors: { origins: ['https://e-mongolia.mn', 'https://gov.mn'] } },
      ],
      ['nested key', { REDIS_PORT: '6380' }, { redis: { url: 'redis://localhost', port: 6380 } }],
    ])('converts a %s to the schema type', (_kind, env, expected) => {
      expect(loadConfig(schema, { env: { ...REDIS, ...env } })).toMatchObject(expected);
    });

    it('does not coerce values from the file: a string port there is an error', () => {
      const file = configFile('string-port.json', { port: '9000', redis: { url: 'redis://x' } });
      expect(failure({ env: {}, file }).message).toBe(
        'Invalid configuration: port (env PORT) must be an integer from 1 to 65535, got "9000"',
      );
    });
  });

  describe('errors', () => {
    it('names the key, its env var, what was expected and what was given', () => {
      const error = failure({ env: { ...REDIS, REDIS_PORT: 'abc' } });
      expect(error.type).toBe('Server.InvalidConfiguration');
      expect(error.message).toBe(
        'Invalid configuration: redis.port (env REDIS_PORT) must be an integer from 1 to 65535, got "abc"',
      );
      expect(error.detail.problems).toEqual([
        {
          key: 'redis.port',
          env: 'REDIS_PORT',
          message: 'redis.port (env REDIS_PORT) must be an integer from 1 to 65535, got "abc"',
        },
      ]);
    });

    it.each([
      [{ PORT: '70000' }, 'port (env PORT) must be an integer from 1 to 65535, got 70000'],
      [{ PORT: '80.5' }, 'port (env PORT) must be an integer from 1 to 65535, got "80.5"'],
      [{ TRUST_PROXY: 'yes' }, 'trustProxy (env TRUST_PROXY) must be true or false, got "yes"'],
      [
        { LOG_LEVEL: 'verbose' },
        'logLevel (env LOG_LEVEL) must be one of "error", "warn", "info", "debug", got "verbose"',
      ],
      [
        { PUBLIC_URL: 'not a url' },
        'publicUrl (env PUBLIC_URL) must be a string in uri format, got "not a url"',
      ],
      [
        { AUDIT_BATCH_SIZE: '0' },
        'audit.batchSize (env AUDIT_BATCH_SIZE) must be an integer at least 1, got 0',
      ],
      [
        { CORS_ORIGINS: 'https://gov.mn,gov.mn' },
        'cors.origins[1] (env CORS_ORIGINS) must be a string in uri format, got "gov.mn"',
      ],
    ])('explains %j', (env, problem) => {
      expect(failure({ env: { ...REDIS, ...env } }).message).toBe(`Invalid configuration: ${problem}`);
    });

    it('names a required key that has no value, even when its whole section is absent', () => {
      expect(failure({ env: {} }).message).toBe(
        'Invalid configuration: redis.url (env REDIS_URL) is required: a string in uri format',
      );
    });

    it('names an unknown key in the file, with the keys it could have meant', () => {
      const file = configFile('typo.json', { redis: { url: 'redis://x', prot: 6380 } });
      expect(failure({ env: {}, file }).message).toBe(
        'Invalid configuration: redis.prot is not a known key (known keys: url, port, password)',
      );
    });

    it('names a section the file gives as something else', () => {
      const file = configFile('section.json', { redis: 'redis://x' });
      expect(failure({ env: { REDIS_PORT: '1' }, file }).message).toBe(
        'Invalid configuration: redis must be an object, got "redis://x"',
      );
    });

    it('lists every problem at once', () => {
      const file = configFile('many.json', { port: 0, extra: true, redis: { url: 'redis://x' } });
      const error = failure({ env: { TRUST_PROXY: 'maybe', REDIS_PORT: 'abc' }, file });
      expect(error.detail.problems.map((problem) => problem.key).sort()).toEqual([
        'extra',
        'port',
        'redis.port',
        'trustProxy',
      ]);
      expect(error.message.split('; ')).toHaveLength(4);
    });

    it('never prints the value of a key that looks secret', () => {
      const error = failure({ env: { ...REDIS, REDIS_PASSWORD: 'hunter2', AUDIT_SIGNING_KEY_FILE: '' } });
      expect(error.message).toBe(
        'Invalid configuration: redis.password (env REDIS_PASSWORD) must be a string of at least 12 characters, got <redacted>',
      );
      const file = configFile('secret.json', { redis: { url: 'redis://x' }, audit: { signingKeyFile: '' } });
      expect(failure({ env: {}, file }).message).toContain(
        'audit.signingKeyFile (env AUDIT_SIGNING_KEY_FILE) must be a non-empty string, got <redacted>',
      );
    });

    it('withholds the password of a URL it quotes', () => {
      const error = failure({ env: { REDIS_URL: 'redis://:hunter2@cache', REDIS_PORT: 'x' } });
      expect(error.message).not.toContain('hunter2');
      const bad = failure({ env: { ...REDIS, PUBLIC_URL: 'https://user:hunter2@ gov.mn' } });
      expect(bad.message).toContain('got "https://user:<redacted>@ gov.mn"');
    });

    it('names a missing file', () => {
      const file = join(dir, 'absent.json');
      expect(failure({ env: REDIS, file }).message).toBe(
        `Invalid configuration: cannot read file ${file}: no such file`,
      );
    });

    it('names a file that is not JSON, without quoting its content', () => {
      const file = configFile('broken.json', '{"redis": {"password": "hunter2"');
      const error = failure({ env: REDIS, file });
      expect(error.message).toMatch(new RegExp(`^Invalid configuration: file ${file} is not valid JSON`));
      expect(error.message).not.toContain('hunter2');
      expect(error.cause).toBeUndefined();
    });

    it('names a file whose JSON is not an object', () => {
      const file = configFile('array.json', '[1, 2]');
      expect(failure({ env: REDIS, file }).message).toBe(
        `Invalid configuration: file ${file} must contain a JSON object`,
      );
    });

    it('refuses a schema that is itself invalid', () => {
      const broken = { type: 'object', properties: { port: { type: 'integer', 'x-env': 42 } } };
      expect(() => loadConfig(broken as unknown as JSONSchemaType<{ port: number }>, { env: {} })).toThrow(
        /^Invalid configuration schema: /,
      );
    });
  });
});
