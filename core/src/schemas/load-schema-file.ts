import { readFile } from 'node:fs/promises';
import { OrtooError } from '../errors';

/**
 * Reads a JSON Schema from disk and parses it, ready for
 * {@link SchemaRegistry.register}.
 *
 * @throws OrtooError `NotFound` when the file does not exist, `InvalidSchema`
 *   when it cannot be read, is not JSON, or is not a JSON object; the message
 *   names the file.
 */
export async function loadSchemaFile(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new OrtooError('NotFound', `Schema file not found: ${path}`, { detail: { path }, cause: error });
    }
    const reason = error instanceof Error ? error.message : String(error);
    throw new OrtooError('InvalidSchema', `Cannot read schema file ${path}: ${reason}`, {
      detail: { path, reason },
      cause: error,
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new OrtooError('InvalidSchema', `Schema file ${path} is not valid JSON: ${reason}`, {
      detail: { path, reason },
      cause: error,
    });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new OrtooError('InvalidSchema', `Schema file ${path} must contain a JSON object`, {
      detail: { path },
    });
  }
  return parsed as Record<string, unknown>;
}
