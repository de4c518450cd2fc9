import { readFileSync } from 'node:fs';
import { CliError } from './cli-error';

/** The JSON in `file`, or a {@link CliError} saying which option's file could not be used and why. */
export function readJsonFile(file: string, option: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : String(error);
    throw new CliError(`Cannot read ${option} ${file}: ${reason}`, { cause: error });
  }
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
