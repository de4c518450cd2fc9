import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { OrtooError, isOrtooError } from '../errors';
import { createLogger, type Logger } from '../observability/logger';
import type { Certificate } from '../pki/certificate';
import { GLOBAL_CONF_MEDIA_TYPE, type GlobalConf } from './global-conf';
import type { GlobalConfFetcher } from './global-conf-fetcher';
import { DEFAULT_GLOBAL_CONF_CLOCK_SKEW_MS, verifyGlobalConf } from './verify-global-conf';

/** Default of {@link GlobalConfClientOptions.refreshIntervalMs}. */
export const DEFAULT_GLOBAL_CONF_REFRESH_MS = 60_000;
/** Default of {@link GlobalConfClientOptions.requestTimeoutMs}. */
export const DEFAULT_GLOBAL_CONF_REQUEST_TIMEOUT_MS = 10_000;

/** Options of {@link GlobalConfClient}. */
export interface GlobalConfClientOptions {
  /** The gateway's `GET /v1/global-conf` URL. */
  url: string;
  /** The configuration-signing certificate given at set-up: the only key trusted to sign. */
  anchor: Certificate;
  /** Where the last good copy is kept (mode 0600), so a restart works while the gateway is away. */
  cacheFile: string;
  /**
   * Milliseconds between fetches.
   * @defaultValue {@link DEFAULT_GLOBAL_CONF_REFRESH_MS}
   */
  refreshIntervalMs?: number;
  /**
   * Milliseconds one fetch may take.
   * @defaultValue {@link DEFAULT_GLOBAL_CONF_REQUEST_TIMEOUT_MS}
   */
  requestTimeoutMs?: number;
  /**
   * Fetches the document. For `https` with the instance CA, pass
   * `createHttpsFetcher({ ca })`.
   * @defaultValue node's global `fetch`
   */
  fetch?: GlobalConfFetcher;
  /** The instance the document must be of. @defaultValue any */
  instance?: string;
  /** @defaultValue the real clock */
  clock?: () => Date;
  /**
   * How far this server's clock may differ from the gateway's: a document
   * generated up to this far in the future is taken, and one is used until
   * this long after it expires.
   * @defaultValue {@link DEFAULT_GLOBAL_CONF_CLOCK_SKEW_MS}
   */
  maxClockSkewMs?: number;
  /** @defaultValue a JSON logger on stdout */
  logger?: Logger;
}

/** What one {@link GlobalConfClient.refresh} did. */
export type GlobalConfRefreshOutcome = 'updated' | 'not-modified' | 'failed';

interface Held {
  readonly conf: GlobalConf;
  readonly generatedAt: number;
  readonly expiresAt: number;
  /** The ETag it came with; none for a copy read from the cache. */
  readonly etag: string | undefined;
}

/**
 * A security server's copy of the global configuration: fetched from the
 * gateway, verified against the trust anchor, kept on disk, refreshed on a
 * timer. A fetch or a check that fails never replaces the last good copy; it
 * is logged, and the copy is used until it expires. A copy older than the one
 * held is refused, so an old (still valid) document cannot be replayed to undo
 * a revocation.
 */
export class GlobalConfClient {
  readonly #url: string;
  readonly #anchor: Certificate;
  readonly #cacheFile: string;
  readonly #intervalMs: number;
  readonly #timeoutMs: number;
  readonly #fetch: GlobalConfFetcher;
  readonly #instance: string | undefined;
  readonly #clock: () => Date;
  readonly #logger: Logger;
  readonly #maxSkewMs: number;
  #held: Held | undefined;
  #skewMs: number | undefined;
  #inFlight: Promise<GlobalConfRefreshOutcome> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #running = false;

  constructor(options: GlobalConfClientOptions) {
    this.#url = options.url;
    this.#anchor = options.anchor;
    this.#cacheFile = options.cacheFile;
    this.#intervalMs = options.refreshIntervalMs ?? DEFAULT_GLOBAL_CONF_REFRESH_MS;
    this.#timeoutMs = options.requestTimeoutMs ?? DEFAULT_GLOBAL_CONF_REQUEST_TIMEOUT_MS;
    this.#fetch = options.fetch ?? fetch;
    this.#instance = options.instance;
    this.#clock = options.clock ?? (() => new Date());
    this.#maxSkewMs = options.maxClockSkewMs ?? DEFAULT_GLOBAL_CONF_CLOCK_SKEW_MS;
    this.#logger = options.logger ?? createLogger({ service: 'global-conf-client' });
  }

  /**
   * Loads the cached copy (used if it verifies and has not expired), fetches
   * the current one, then refreshes every interval. Resolves once the first
   * fetch has succeeded or failed; never rejects for an absent gateway.
   */
  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    await this.#loadCache();
    await this.refresh();
    if (!this.#running) return; // stopped while starting
    this.#timer = setInterval(() => void this.refresh(), this.#intervalMs);
    this.#timer.unref(); // the timer alone never keeps the process alive
  }

  /** Stops refreshing; the copy held stays readable. */
  stop(): void {
    this.#running = false;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /**
   * The last good copy.
   *
   * @throws OrtooError `ConfigurationExpired` when there is none yet or it has expired.
   */
  current(): GlobalConf {
    const held = this.#held;
    if (held === undefined) {
      throw new OrtooError('ConfigurationExpired', 'No global configuration has been loaded');
    }
    if (held.expiresAt + this.#maxSkewMs <= this.#clock().getTime()) {
      throw new OrtooError('ConfigurationExpired', 'Global configuration has expired', {
        detail: { version: held.conf.version, expiresAt: held.conf.expiresAt },
      });
    }
    return held.conf;
  }

  /**
   * How far this server's clock was ahead of the gateway's (negative:
   * behind) at the last fetch, in milliseconds, from the answer's `Date`
   * header (to the second, less the round trip); undefined before a fetch
   * was answered.
   */
  get clockSkewMs(): number | undefined {
    return this.#skewMs;
  }

  /** The clock skew this client tolerates, in milliseconds. */
  get maxClockSkewMs(): number {
    return this.#maxSkewMs;
  }

  /** Fetches once now (a fetch already under way is joined); never rejects. */
  refresh(): Promise<GlobalConfRefreshOutcome> {
    this.#inFlight ??= this.#fetchOnce().finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }

  async #fetchOnce(): Promise<GlobalConfRefreshOutcome> {
    const headers: Record<string, string> = { accept: `${GLOBAL_CONF_MEDIA_TYPE}, application/json` };
    const etag = this.#held?.etag;
    if (etag !== undefined) headers['if-none-match'] = etag;
    let text: string;
    let newEtag: string | undefined;
    try {
      const sent = this.#clock().getTime();
      const response = await this.#fetch(this.#url, {
        headers,
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      this.#noteSkew(sent, response.headers.get('date'));
      if (response.status === 304 && etag !== undefined) return 'not-modified';
      text = await response.text();
      if (response.status !== 200) {
        throw new OrtooError('GatewayUnavailable', `Gateway answered ${response.status}`, {
          detail: { status: response.status },
        });
      }
      newEtag = response.headers.get('etag') ?? undefined;
    } catch (error) {
      this.#logger.warn('global configuration fetch failed; keeping the copy held', {
        url: this.#url,
        error: describe(error),
        heldVersion: this.#held?.conf.version,
      });
      return 'failed';
    }
    try {
      this.#adopt(text, newEtag);
    } catch (error) {
      this.#logger.error('global configuration refused; keeping the copy held', {
        url: this.#url,
        error: describe(error),
        heldVersion: this.#held?.conf.version,
      });
      return 'failed';
    }
    await this.#writeCache(text);
    return 'updated';
  }

  /** The skew the gateway's `Date` tells, taken at the middle of the round trip. */
  #noteSkew(sent: number, date: string | null): void {
    const theirs = date === null ? Number.NaN : Date.parse(date);
    if (Number.isNaN(theirs)) return;
    const received = this.#clock().getTime();
    const skew = (sent + received) / 2 - theirs;
    // `Date` has whole seconds: within a second of theirs is no skew.
    this.#skewMs = Math.abs(skew) < 1000 ? 0 : Math.round(skew);
  }

  /** Verifies a document and makes it the one held, unless it is older than that. */
  #adopt(text: string, etag: string | undefined): void {
    const conf = verifyGlobalConf(text, {
      anchor: this.#anchor,
      now: this.#clock(),
      maxClockSkewMs: this.#maxSkewMs,
      ...(this.#instance === undefined ? {} : { instance: this.#instance }),
    });
    const generatedAt = Date.parse(conf.generatedAt);
    if (this.#held !== undefined && generatedAt < this.#held.generatedAt) {
      throw new OrtooError('InvalidAnswer', 'Global configuration is older than the copy held', {
        detail: { generatedAt: conf.generatedAt, heldGeneratedAt: this.#held.conf.generatedAt },
      });
    }
    this.#held = { conf, generatedAt, expiresAt: Date.parse(conf.expiresAt), etag };
    this.#logger.info('global configuration updated', {
      version: conf.version,
      generatedAt: conf.generatedAt,
      expiresAt: conf.expiresAt,
    });
  }

  async #loadCache(): Promise<void> {
    let text: string;
    try {
      text = await readFile(this.#cacheFile, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.#logger.warn('global configuration cache unreadable', { error: describe(error) });
      }
      return;
    }
    try {
      this.#adopt(text, undefined);
    } catch (error) {
      const level = isOrtooError(error, 'ConfigurationExpired') ? 'info' : 'warn';
      this.#logger.log(level, 'global configuration cache not used', { error: describe(error) });
    }
  }

  /** Writes the copy atomically (temporary file, then rename) with mode 0600; failures are logged. */
  async #writeCache(text: string): Promise<void> {
    const temporary = `${this.#cacheFile}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await mkdir(path.dirname(this.#cacheFile), { recursive: true });
      await writeFile(temporary, text, { mode: 0o600, flag: 'wx' });
      await rename(temporary, this.#cacheFile);
    } catch (error) {
      this.#logger.warn('global configuration cache not written', { error: describe(error) });
      await unlink(temporary).catch(() => undefined);
    }
  }
}

/** What a log line says about an error: its code and message, never a payload. */
function describe(error: unknown): Record<string, unknown> {
  if (error instanceof OrtooError) return { type: error.type, message: error.message };
  if (error instanceof Error) {
    const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
    return { message: error.message, ...(cause === undefined ? {} : { cause: cause.code ?? cause.message }) };
  }
  return { message: String(error) };
}
