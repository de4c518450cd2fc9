import { readFileSync } from 'node:fs';
import { CliError } from './cli-error';

/** The text in `file`, or a {@link CliError} saying which option's file could not be read and why. */
export function readTextFile(file: string, option: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : String(error);
    throw new CliError(`Cannot read ${option} ${file}: ${reason}`, { cause: error });
  }
}

/** The JSON in `file`, or a {@link CliError} saying which option's file could not be used and why. */
export function readJsonFile(file: string, option: string): unknown {
  const text = readTextFile(file, option);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new CliError(
      `${option} ${file} is not valid JSON: ${error instanceof Error ? error.message : error}`,
      {
        cause: error,
      },
    );
  }
}
