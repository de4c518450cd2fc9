import https from 'node:https';
import { OrtooError } from '../errors';

/** The part of a fetch `Response` the configuration client reads. */
export interface GlobalConfResponse {
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  text(): Promise<string>;
}

/**
 * Fetches the configuration document: node's global `fetch` fits this type,
 * and tests may give anything that answers the same way.
 */
export type GlobalConfFetcher = (
  url: string,
  init: { headers: Record<string, string>; signal: AbortSignal },
) => Promise<GlobalConfResponse>;

/** Options of {@link createHttpsFetcher}. */
export interface HttpsFetcherOptions {
  /** PEM of the CA(s) that issued the gateway's TLS certificate: the instance CA. */
  ca: string | string[];
  /**
   * Largest document accepted, in bytes; a bigger answer is cut off as an error.
   * @defaultValue 64 MiB
   */
  maxBytes?: number;
}

const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

/**
 * A {@link GlobalConfFetcher} over `node:https` that trusts the given CA
 * (the instance CA) for the gateway's TLS certificate. Node's global `fetch`
 * cannot be given a CA without extra packages, hence this small client:
 * `new GlobalConfClient({ url: 'https://…', fetch: createHttpsFetcher({ ca }), … })`.
 */
export function createHttpsFetcher(options: HttpsFetcherOptions): GlobalConfFetcher {
  const agent = new https.Agent({ ca: options.ca });
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  return (url, init) =>
    new Promise<GlobalConfResponse>((resolve, reject) => {
      const request = https.request(
        url,
        { method: 'GET', headers: init.headers, agent, signal: init.signal },
        (response) => {
          const chunks: Buffer[] = [];
          let size = 0;
          response.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > maxBytes) {
              request.destroy(
                new OrtooError('PayloadTooLarge', 'Global configuration is larger than allowed', {
                  detail: { maxBytes },
                }),
              );
            } else chunks.push(chunk);
          });
          response.on('error', reject);
          response.on('end', () => {
            const body = Buffer.concat(chunks).toString('utf8');
            resolve({
              status: response.statusCode ?? 0,
              headers: {
                get(name) {
                  const value = response.headers[name.toLowerCase()];
                  if (value === undefined) return null;
                  return Array.isArray(value) ? value.join(', ') : value;
                },
              },
              text: () => Promise.resolve(body),
            });
          });
        },
      );
      request.on('error', reject);
      request.end();
    });
}
