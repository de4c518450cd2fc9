import { parentPort, workerData } from 'node:worker_threads';
import {
  CompiledServiceApi,
  MAX_OPENAPI_BYTES,
  OrtooError,
  assertPlainDocument,
  endpointsOf,
  parseOpenApiText,
  readServiceApi,
  toOrtooError,
} from '../../../core/src';
import type { OpenApiCheckOutcome } from './openapi-check';

/**
 * The worker thread that checks an OpenAPI document for publication: reads
 * it (JSON or YAML), checks it, and compiles every schema of every
 * operation, as the gateway will, so that a heavy document costs this
 * thread, not the admin listener's event loop. Answers once and ends.
 */
function check(input: unknown): OpenApiCheckOutcome {
  try {
    let document: Record<string, unknown>;
    if (typeof input === 'string') {
      document = parseOpenApiText(input);
    } else {
      const bytes = Buffer.byteLength(JSON.stringify(input));
      if (bytes > MAX_OPENAPI_BYTES) {
        throw new OrtooError(
          'PayloadTooLarge',
          `An OpenAPI document is at most ${MAX_OPENAPI_BYTES} bytes; this one has ${bytes}`,
          {
            detail: { limitBytes: MAX_OPENAPI_BYTES, bytes },
          },
        );
      }
      assertPlainDocument(input);
      document = input as Record<string, unknown>;
    }
    const api = readServiceApi(document);
    new CompiledServiceApi(api);
    return { ok: true, document, endpoints: endpointsOf(api) };
  } catch (thrown) {
    const error = toOrtooError(thrown);
    return { ok: false, code: error.code, message: error.message, detail: error.detail };
  }
}

// Loaded: the time bound starts now, so a slow start on a busy machine is not taken for a slow document.
parentPort?.postMessage('ready');
parentPort?.postMessage(check(workerData));
