import { CliError } from './cli-error';

/** Where the admin API is when neither `--url` nor `ORTOO_URL` says otherwise. */
export const DEFAULT_GATEWAY_URL = 'http://127.0.0.1:4400';

/** Options of {@link AdminClient}. */
export interface AdminClientOptions {
  /** Base URL of the gateway's admin API. @defaultValue {@link DEFAULT_GATEWAY_URL} */
  url?: string;
  /** API token (`ortoo_…`), sent as a bearer token. @defaultValue none: only public routes work */
  token?: string;
  /** @defaultValue the global `fetch` */
  fetch?: typeof fetch;
}

/** Query parameters; undefined ones are left out. */
export type Query = Record<string, string | number | undefined>;

/** An answer of the admin API: its status (201 created, 200 existing...) and JSON body. */
export interface ApiResponse<T> {
  status: number;
  /** Undefined for an answer without a body (204). */
  body: T;
}

/** One page of a list, as every list route answers. */
export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

/** A schema violation as the API reports it in `detail.errors`. */
interface SchemaErrorDetail {
  pointer?: unknown;
  message?: unknown;
}

/** Network error codes that mean "nobody answers at that address". */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNRESET',
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);

/**
 * A small typed client of the gateway's admin API over `fetch`. Every failure
 * becomes a {@link CliError} with a message fit for a terminal: the API's
 * `<type>: <message>` (plus the JSON pointers of a schema violation), or a
 * sentence naming the URL that could not be reached.
 */
export class AdminClient {
  readonly baseUrl: URL;
  private readonly token: string | undefined;
  private readonly fetchFn: typeof fetch;

  constructor(options: AdminClientOptions = {}) {
    const url = options.url ?? DEFAULT_GATEWAY_URL;
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new CliError(`Invalid gateway URL ${JSON.stringify(url)}: give one like ${DEFAULT_GATEWAY_URL}`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new CliError(
        `Invalid gateway URL ${JSON.stringify(url)}: it must start with http:// or https://`,
      );
    }
    // A base without a trailing slash would lose its last segment when paths are resolved against it.
    if (!parsed.pathname.endsWith('/')) parsed.pathname += '/';
    this.baseUrl = parsed;
    this.token = options.token;
    this.fetchFn = options.fetch ?? fetch;
  }

  /** GETs `path` (e.g. `/v1/members`) and returns its JSON body. */
  async get<T>(path: string, query: Query = {}, options: { auth?: boolean } = {}): Promise<T> {
    return (await this.request<T>('GET', path, { query, auth: options.auth })).body;
  }

  /** POSTs a JSON body; the status tells a creation (201) from an existing object (200). */
  post<T>(path: string, body?: unknown): Promise<ApiResponse<T>> {
    return this.request<T>('POST', path, { body });
  }

  /** PATCHes with a JSON body and returns the changed object. */
  async patch<T>(path: string, body: unknown): Promise<T> {
    return (await this.request<T>('PATCH', path, { body })).body;
  }

  /** DELETEs `path`; the body, if the API sends one. */
  async delete<T = undefined>(path: string): Promise<T> {
    return (await this.request<T>('DELETE', path)).body;
  }

  /**
   * A list: the one page asked for when `limit` is given, otherwise every
   * page, following `nextCursor` to the end.
   */
  async list<T>(
    path: string,
    query: Query = {},
    paging: { limit?: number; cursor?: string } = {},
  ): Promise<Page<T>> {
    if (paging.limit !== undefined) {
      return this.get<Page<T>>(path, { ...query, limit: paging.limit, cursor: paging.cursor });
    }
    const items: T[] = [];
    let cursor = paging.cursor;
    for (;;) {
      const page = await this.get<Page<T>>(path, { ...query, cursor });
      items.push(...page.items);
      if (page.nextCursor === undefined || page.nextCursor === cursor) return { items };
      cursor = page.nextCursor;
    }
  }

  /** Sends one request and maps every kind of failure to a {@link CliError}. */
  async request<T>(
    method: string,
    path: string,
    options: { query?: Query; body?: unknown; auth?: boolean; headers?: Record<string, string> } = {},
  ): Promise<ApiResponse<T>> {
    const { response, url } = await this.send(method, path, options, 'application/json');
    const text = await response.text();
    if (!response.ok) throw this.apiError(response, text);
    if (text === '') return { status: response.status, body: undefined as T };
    try {
      return { status: response.status, body: JSON.parse(text) as T };
    } catch (error) {
      throw new CliError(
        `The gateway at ${this.origin()} answered ${method} ${url.pathname} with something that is not JSON`,
        {
          cause: error,
        },
      );
    }
  }

  /**
   * Sends one request and returns the body's bytes exactly as received (a file
   * to save, such as an evidence bundle); failures as {@link request}'s.
   */
  async requestBytes(
    method: string,
    path: string,
    options: { query?: Query; body?: unknown; accept?: string } = {},
  ): Promise<Uint8Array> {
    const { response } = await this.send(method, path, options, options.accept ?? '*/*');
    if (!response.ok) throw this.apiError(response, await response.text());
    return new Uint8Array(await response.arrayBuffer());
  }

  /** Sends one request; a network failure becomes a {@link CliError} naming the gateway. */
  private async send(
    method: string,
    path: string,
    options: { query?: Query; body?: unknown; auth?: boolean; headers?: Record<string, string> },
    accept: string,
  ): Promise<{ response: Response; url: URL }> {
    const url = new URL(path.replace(/^\//, ''), this.baseUrl);
    for (const [name, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    const headers: Record<string, string> = { ...options.headers, accept };
    if (options.auth !== false && this.token !== undefined) headers.authorization = `Bearer ${this.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    try {
      const response = await this.fetchFn(url, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
      });
      return { response, url };
    } catch (error) {
      throw unreachable(this.baseUrl, error);
    }
  }

  private origin(): string {
    return this.baseUrl.href.replace(/\/$/, '');
  }

  /** `<type>: <message>`, the pointers of a schema violation, and a hint for a missing token. */
  private apiError(response: Response, text: string): CliError {
    let body: { type?: unknown; message?: unknown; detail?: unknown } | undefined;
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      body = undefined;
    }
    if (typeof body?.type !== 'string' || typeof body.message !== 'string') {
      return new CliError(
        `The gateway at ${this.origin()} answered HTTP ${response.status} ${response.statusText}`.trimEnd(),
      );
    }
    const lines = [`${body.type}: ${body.message}`];
    const errors = (body.detail as { errors?: unknown } | undefined)?.errors;
    if (Array.isArray(errors)) {
      for (const error of errors as SchemaErrorDetail[]) {
        const pointer = typeof error.pointer === 'string' && error.pointer !== '' ? error.pointer : '(body)';
        lines.push(`  ${pointer}: ${typeof error.message === 'string' ? error.message : 'is invalid'}`);
      }
    }
    if (response.status === 401 && this.token === undefined) {
      lines.push('No API token given: pass --token or set ORTOO_TOKEN.');
    }
    return new CliError(lines.join('\n'));
  }
}

/** What the causes of a network error look like. */
interface ErrorLike {
  code?: unknown;
  message?: unknown;
  cause?: ErrorLike;
}

/** "Cannot reach the gateway at <url>" with the reason fetch gives deep in its causes. */
function unreachable(baseUrl: URL, error: unknown): CliError {
  const where = baseUrl.href.replace(/\/$/, '');
  let reason: string | undefined;
  // Duck-typed, not `instanceof Error`: fetch's errors may come from another realm (a test sandbox).
  for (
    let cause = error as ErrorLike | undefined;
    typeof cause === 'object' && cause !== null;
    cause = cause.cause
  ) {
    if (typeof cause.code === 'string' && UNREACHABLE_CODES.has(cause.code)) {
      reason = cause.code === 'ECONNREFUSED' ? 'connection refused' : cause.code;
      break;
    }
    if (typeof cause.message === 'string') reason = cause.message;
  }
  return new CliError(
    `Cannot reach the gateway at ${where}${reason === undefined ? '' : ` (${reason})`}. ` +
      'Is it running? Give its address with --url or ORTOO_URL.',
    { cause: error },
  );
}
