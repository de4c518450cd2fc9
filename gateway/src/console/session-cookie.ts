import type { Request } from 'express';

/** The console session's cookie. */
export const SESSION_COOKIE = 'ortoo_session';

/** The header the console sends its session's CSRF token in, on every change. */
export const CSRF_HEADER = 'X-Ortoo-CSRF';

/** The session cookie's value on `req`, if it carries one. */
export function sessionIdOf(req: Request): string | undefined {
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * `Set-Cookie` of a session: HttpOnly (no script reads it), SameSite=Strict
 * (no other site's page sends it), Secure when the console is served over
 * HTTPS, expiring with the session.
 */
export function sessionCookie(id: string, options: { secure: boolean; maxAgeSeconds: number }): string {
  return [
    `${SESSION_COOKIE}=${id}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Strict',
    `Max-Age=${options.maxAgeSeconds}`,
    ...(options.secure ? ['Secure'] : []),
  ].join('; ');
}

/** `Set-Cookie` that removes the session cookie. */
export function clearedSessionCookie(secure: boolean): string {
  return sessionCookie('', { secure, maxAgeSeconds: 0 });
}
