import { PassThrough } from 'node:stream';
import { OrtooError } from '../../../core/src/errors';
import { createLogger, REDACTED, type Logger, type LoggerOptions } from '../../../core/src/observability';

/** A logger writing to memory, and the JSON lines it has written so far. */
function capture(options: Partial<LoggerOptions> = {}): {
  logger: Logger;
  lines: () => Record<string, unknown>[];
} {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
  const logger = createLogger({ service: 'gateway', stream, ...options });
  const lines = (): Record<string, unknown>[] =>
    chunks
      .join('')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { logger, lines };
}

describe('createLogger', () => {
  it('writes one JSON object per line with level, message, timestamp and service', () => {
    const { logger, lines } = capture();
    logger.info('message accepted', { messageId: 'm-1' });
    logger.warn('queue slow');
    expect(lines()).toEqual([
      {
        level: 'info',
        message: 'message accepted',
        messageId: 'm-1',
        service: 'gateway',
        timestamp: expect.any(String),
      },
      { level: 'warn', message: 'queue slow', service: 'gateway', timestamp: expect.any(String) },
    ]);
    expect(Number.isNaN(Date.parse(String(lines()[0]?.timestamp)))).toBe(false);
  });

  it('gives child loggers the context of an exchange on every line', () => {
    const { logger, lines } = capture();
    const exchange = logger.child({
      messageId: '3f1c7a52-0b7e-4d8f-9a51-2f0c0f5e9d11',
      client: 'MN/GOV/9011311/e-services',
      serviceId: 'MN/GOV/9011311/civil-registry/person',
    });
    exchange.info('delivered', { attempt: 2 });
    expect(lines()).toEqual([
      expect.objectContaining({
        service: 'gateway',
        messageId: '3f1c7a52-0b7e-4d8f-9a51-2f0c0f5e9d11',
        client: 'MN/GOV/9011311/e-services',
        serviceId: 'MN/GOV/9011311/civil-registry/person',
        attempt: 2,
      }),
    ]);
  });

  it('writes only lines at or above its level', () => {
    const { logger, lines } = capture({ level: 'warn' });
    logger.debug('noise');
    logger.info('routine');
    logger.warn('odd');
    logger.error('bad');
    expect(lines().map((line) => line.level)).toEqual(['warn', 'error']);
  });

  it("defaults to level 'info'", () => {
    const { logger, lines } = capture();
    logger.debug('noise');
    logger.info('routine');
    expect(lines().map((line) => line.message)).toEqual(['routine']);
  });

  it('refuses an unknown level', () => {
    expect(() => createLogger({ service: 'gateway', level: 'loud' })).toThrow(
      expect.objectContaining({ code: 'InvalidConfiguration' }),
    );
  });

  describe('guard rule: no payloads, tokens or keys', () => {
    it.each([
      'body',
      'payload',
      'password',
      'token',
      'Authorization',
      'privateKey',
      'key',
      'SECRET',
      'accessToken',
      'apiKey',
    ])('redacts a field named %s', (field) => {
      const { logger, lines } = capture();
      logger.info('call', { [field]: 'hunter2', client: 'MN/GOV/1/a' });
      expect(lines()[0]).toMatchObject({ [field]: REDACTED, client: 'MN/GOV/1/a' });
      expect(JSON.stringify(lines())).not.toContain('hunter2');
    });

    it('redacts one level down without changing the caller’s object', () => {
      const { logger, lines } = capture();
      const headers = { authorization: 'Bearer abc', 'x-road-client': 'MN/GOV/1/a' };
      logger.info('request', { headers });
      expect(lines()[0]?.headers).toEqual({ authorization: REDACTED, 'x-road-client': 'MN/GOV/1/a' });
      expect(headers.authorization).toBe('Bearer abc');
    });

    it('redacts secrets given to a child logger', () => {
      const { logger, lines } = capture();
      logger.child({ token: 'abc' }).info('x');
      expect(lines()[0]?.token).toBe(REDACTED);
    });

    it('keeps fields whose names only resemble secrets', () => {
      const { logger, lines } = capture();
      logger.info('signed', { keyId: 'thumbprint', bodyDigest: 'sha-256=:abc=:' });
      expect(lines()[0]).toMatchObject({ keyId: 'thumbprint', bodyDigest: 'sha-256=:abc=:' });
    });
  });

  describe('errors', () => {
    it('writes an OrtooError as type, code and message, without a stack', () => {
      const { logger, lines } = capture();
      logger.warn('rejected', { error: new OrtooError('AccessDenied', 'Client may not call this service') });
      expect(lines()[0]?.error).toEqual({
        type: 'Client.AccessDenied',
        code: 'AccessDenied',
        message: 'Client may not call this service',
      });
    });

    it('keeps the stack of an unexpected error, and of the cause a typed error wraps', () => {
      const { logger, lines } = capture();
      const cause = new TypeError('undefined is not a function');
      logger.error('crashed', { error: new OrtooError('InternalError', 'Internal error', { cause }) });
      logger.error('crashed', { error: new RangeError('too deep') });
      const [wrapped, raw] = lines();
      expect(wrapped?.error).toEqual({
        type: 'Server.ClientProxy.InternalError',
        code: 'InternalError',
        message: 'Internal error',
        cause: { type: 'TypeError', message: 'undefined is not a function', stack: cause.stack },
      });
      expect(raw?.error).toEqual({
        type: 'RangeError',
        message: 'too deep',
        stack: expect.stringContaining('RangeError'),
      });
    });
  });
});
