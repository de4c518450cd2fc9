import {
  OrtooError,
  canonicalJson,
  createHttpsFetcher,
  sha256,
  type GlobalConfFetcher,
} from '../../../core/src';
import type { SecurityServerDeps } from '../deps';
import { gatewayError } from '../gateway-client';

/** Options of {@link ServiceSchemas}. */
export interface ServiceSchemasOptions {
  /** Milliseconds one fetch may take. @defaultValue 10_000 */
  readonly timeoutMs?: number;
  /** Schemas kept; the oldest is dropped beyond it. @defaultValue 1000 */
  readonly maxEntries?: number;
  /** @defaultValue `fetch` for `http:`, an HTTPS client trusting the instance CA for `https:` */
  readonly fetch?: GlobalConfFetcher;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_ENTRIES = 1000;

type Schema = Record<string, unknown>;

/**
 * Services' JSON Schemas, fetched from the gateway by hash
 * (`GET <gateway.url>/v1/service-schemas/<hash>`) and kept. The signed global
 * configuration names each schema by the SHA-256 of its canonical JSON, so a
 * fetched schema is checked against its hash (the gateway's admin listener
 * may be plain HTTP) and, once checked, never goes stale.
 */
export class ServiceSchemas {
  readonly #baseUrl: string;
  readonly #fetch: GlobalConfFetcher;
  readonly #timeoutMs: number;
  readonly #maxEntries: number;
  readonly #cache = new Map<string, Promise<Schema>>();

  constructor(deps: Pick<SecurityServerDeps, 'config' | 'identity'>, options: ServiceSchemasOptions = {}) {
    const base = deps.config.gateway.url;
    this.#baseUrl = base.endsWith('/') ? base : `${base}/`;
    this.#fetch =
      options.fetch ??
      (this.#baseUrl.startsWith('https:') ? createHttpsFetcher({ ca: [...deps.identity.caPem] }) : fetch);
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
  }

  /**
   * The schema with this hash.
   *
   * @throws OrtooError `UnknownService` when the gateway no longer has it,
   *   `InvalidAnswer` when what it sent does not match the hash,
   *   `GatewayUnavailable` or `Timeout` when it cannot be reached.
   */
  get(hash: string): Promise<Schema> {
    let schema = this.#cache.get(hash);
    if (schema === undefined) {
      schema = this.#load(hash).catch((error: unknown) => {
        this.#cache.delete(hash); // a failed load is tried again next time
        throw error;
      });
      this.#cache.set(hash, schema);
      if (this.#cache.size > this.#maxEntries) {
        const oldest = this.#cache.keys().next().value;
        if (oldest !== undefined) this.#cache.delete(oldest);
      }
    }
    return schema;
  }

  async #load(hash: string): Promise<Schema> {
    const url = new URL(`v1/service-schemas/${encodeURIComponent(hash)}`, this.#baseUrl).href;
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), this.#timeoutMs);
    let status: number;
    let text: string;
    try {
      const response = await this.#fetch(url, {
        headers: { accept: 'application/json' },
        signal: deadline.signal,
      });
      status = response.status;
      text = await response.text();
    } catch (cause) {
      if (deadline.signal.aborted) {
        throw new OrtooError(
          'Timeout',
          `The gateway did not send a service schema in ${this.#timeoutMs} ms`,
          {
            detail: { hash, timeoutMs: this.#timeoutMs },
            cause,
          },
        );
      }
      throw new OrtooError('GatewayUnavailable', 'The gateway cannot be reached for a service schema', {
        detail: { hash, reason: (cause as NodeJS.ErrnoException).code ?? (cause as Error).message },
        cause,
      });
    } finally {
      clearTimeout(timer);
    }
    if (status === 404) {
      throw new OrtooError('UnknownService', 'The service schema is no longer registered', {
        detail: { hash },
      });
    }
    if (status !== 200) throw gatewayError(status, Buffer.from(text, 'utf8'));
    let schema: unknown;
    try {
      schema = JSON.parse(text);
    } catch (cause) {
      throw new OrtooError('InvalidAnswer', 'The gateway sent a service schema that is not JSON', {
        detail: { hash },
        cause,
      });
    }
    if (
      typeof schema !== 'object' ||
      schema === null ||
      Array.isArray(schema) ||
      sha256(canonicalJson(schema)) !== hash
    ) {
      throw new OrtooError(
        'InvalidAnswer',
        'The gateway sent a service schema that does not match its hash',
        {
          detail: { hash },
        },
      );
    }
    return schema as Schema;
  }
}
