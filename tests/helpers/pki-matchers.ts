import type { ErrorCode } from '../../core/src/errors';

/**
 * Matches an OrtooError of `code` (and, when given, whose message contains
 * `message`), for `toThrow(...)` and `rejects.toThrow(...)`.
 */
export function ortooError(code: ErrorCode, message?: string): ReturnType<typeof expect.objectContaining> {
  return expect.objectContaining({
    name: 'OrtooError',
    code,
    ...(message === undefined ? {} : { message: expect.stringContaining(message) }),
  });
}
