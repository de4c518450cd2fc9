import { Worker } from 'node:worker_threads';
import { OrtooError, canonicalJson, sha256, type ErrorCode, type ServiceEndpoint } from '../../../core/src';

/** A document fit for publication: its JSON, its hash and its endpoints. */
export interface CheckedOpenApi {
  readonly document: Record<string, unknown>;
  /** SHA-256 of its canonical JSON, base64url. */
  readonly hash: string;
  readonly endpoints: ServiceEndpoint[];
}

/** What the worker answers. */
export type OpenApiCheckOutcome =
  | { ok: true; document: Record<string, unknown>; endpoints: ServiceEndpoint[] }
  | { ok: false; code: ErrorCode; message: string; detail: unknown };

/** Options of {@link checkOpenApiDocument}. */
export interface OpenApiCheckOptions {
  /** Longest a document may take to read and compile, in milliseconds. @defaultValue 10_000 */
  readonly timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;
/** How long the worker may take to load, before the document's own time starts. */
const STARTUP_TIMEOUT_MS = 60_000;
/** Heap of the checking worker: a document is at most 1 MiB, its compiled schemas a few times that. */
const WORKER_HEAP_MB = 256;

/** The worker's file beside this one; under tsx (no build step) it is TypeScript, loaded through tsx. */
function workerFile(): { file: string; execArgv: string[] } {
  const file = __filename.replace(/openapi-check\.(ts|js)$/, 'openapi-check-worker.$1');
  return { file, execArgv: file.endsWith('.ts') ? ['--require', 'tsx/cjs'] : [] };
}

/**
 * Reads, checks and compiles an OpenAPI document (text in JSON or YAML, or
 * the JSON value) in a worker thread, so that the admin listener's event
 * loop never runs a compile, and a document that takes longer than
 * `timeoutMs` (a schema built to be slow) is refused: the gateway compiles
 * what is published, and must do so quickly.
 *
 * @throws OrtooError `InvalidOpenApi` naming the JSON pointer of the fault,
 *   or that it took too long; `PayloadTooLarge`.
 */
export function checkOpenApiDocument(
  input: string | Record<string, unknown>,
  options: OpenApiCheckOptions = {},
): Promise<CheckedOpenApi> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const { file, execArgv } = workerFile();
  return new Promise((resolve, reject) => {
    const worker = new Worker(file, {
      workerData: input,
      execArgv,
      resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB },
    });
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      outcome();
    };
    const tooSlow = () =>
      settle(() =>
        reject(
          new OrtooError(
            'InvalidOpenApi',
            `The OpenAPI document takes longer than ${timeoutMs} ms to compile`,
            {
              detail: { pointer: '', reason: 'compile time', timeoutMs },
            },
          ),
        ),
      );
    const notStarted = () =>
      settle(() => reject(new OrtooError('InternalError', 'The OpenAPI check did not start in time')));
    let timer = setTimeout(notStarted, STARTUP_TIMEOUT_MS);
    worker.on('message', (outcome: OpenApiCheckOutcome | 'ready') => {
      if (outcome === 'ready') {
        clearTimeout(timer);
        timer = setTimeout(tooSlow, timeoutMs);
        return;
      }
      settle(() => {
        if (!outcome.ok) {
          reject(new OrtooError(outcome.code, outcome.message, { detail: outcome.detail }));
          return;
        }
        resolve({
          document: outcome.document,
          hash: sha256(canonicalJson(outcome.document)),
          endpoints: outcome.endpoints,
        });
      });
    });
    worker.once('error', (error) =>
      settle(() =>
        reject(
          error.name === 'ERR_WORKER_OUT_OF_MEMORY' ||
            (error as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? new OrtooError('InvalidOpenApi', 'The OpenAPI document needs too much memory to compile', {
                detail: { pointer: '', reason: 'memory' },
                cause: error,
              })
            : new OrtooError('InternalError', 'The OpenAPI document could not be checked', { cause: error }),
        ),
      ),
    );
    worker.once('exit', () =>
      settle(() => reject(new OrtooError('InternalError', 'The OpenAPI check ended without an answer'))),
    );
  });
}
