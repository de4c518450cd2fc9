import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from '../../../generated/admin-api';
import { ApiError, apiErrorOf } from './api-error';

/** The header a change made with the session cookie carries its CSRF token in (see the gateway's session-cookie.ts). */
export const CSRF_HEADER = 'X-Ortoo-CSRF';

let csrfToken: string | undefined;
let onSessionEnded: (() => void) | undefined;

/** Remembers the session's CSRF token (in memory only) for the changes to come. */
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

/** Called when the gateway answers 401 to a signed-in page: the session has ended. */
export function whenSessionEnds(callback: () => void): void {
  onSessionEnded = callback;
}

const csrf: Middleware = {
  onRequest({ request }) {
    if (request.method !== 'GET' && request.method !== 'HEAD' && csrfToken !== undefined) {
      request.headers.set(CSRF_HEADER, csrfToken);
    }
    return request;
  },
};

/**
 * The typed client of the gateway's API, from its OpenAPI document: the
 * session cookie goes with every call (same origin), never a token.
 */
export const api = createClient<paths>({ baseUrl: window.location.origin, credentials: 'same-origin' });
api.use(csrf);

/**
 * Waits for a call and gives its data, or throws its typed error as an
 * {@link ApiError}. A 401 on a signed-in page means the session ended.
 */
export async function call<T>(
  pending: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  let result: { data?: T; error?: unknown; response: Response };
  try {
    result = await pending;
  } catch (cause) {
    throw new ApiError(0, 'Network', cause instanceof Error ? cause.message : String(cause));
  }
  if (result.response.ok) return result.data as T;
  const error = apiErrorOf(result.response.status, result.error);
  if (result.response.status === 401 && csrfToken !== undefined) onSessionEnded?.();
  throw error;
}
