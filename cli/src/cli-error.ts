/**
 * An error the CLI reports as one clear line on stderr (no stack trace) and
 * exit code 1: a refused API call, an unreachable gateway, an unreadable file.
 * Usage errors are commander's own and exit with 2.
 */
export class CliError extends Error {
  override readonly name = 'CliError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
