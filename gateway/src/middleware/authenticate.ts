import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { OrtooError, type SqlExecutor } from '../../../core/src';
import type { AuditTrail } from '../audit/audit-trail';
import { CSRF_HEADER, sessionIdOf } from '../console/session-cookie';
import { sameSecret, type ConsoleSession, type SessionStore } from '../console/session-store';
import { findPrincipal, findPrincipalById, type Principal, type Role } from '../registry/api-tokens';

/** The principal the request was authenticated as; set by {@link authenticate}. */
export function principalOf(res: Response): Principal {
  const principal = res.locals.principal as Principal | undefined;
  if (principal === undefined) throw new OrtooError('Unauthenticated', 'Not authenticated');
  return principal;
}

/** The console session the request came with, when it was authenticated by one. */
export function sessionOf(res: Response): ConsoleSession | undefined {
  return res.locals.session as ConsoleSession | undefined;
}

const BEARER = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/;

/** Methods that change nothing, and so need no CSRF token. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The principal of a console session cookie: the session must be live, its
 * token not revoked since, and a change must carry the session's CSRF token.
 */
async function sessionPrincipal(
  db: SqlExecutor,
  sessions: SessionStore,
  req: Request,
  res: Response,
): Promise<Principal | undefined> {
  const id = sessionIdOf(req);
  if (id === undefined) return undefined;
  const session = await sessions.find(id);
  if (session === undefined) return undefined;
  const principal = await findPrincipalById(db, session.tokenId);
  if (principal === undefined) return undefined;
  if (!SAFE_METHODS.has(req.method) && !sameSecret(req.get(CSRF_HEADER) ?? '', session.csrfToken)) {
    throw new OrtooError('Forbidden', `A change needs the session's CSRF token in ${CSRF_HEADER}`);
  }
  res.locals.session = session;
  return principal;
}

/**
 * Requires a valid bearer token (`Authorization: Bearer ortoo_…`), or a
 * console session cookie when `sessions` is given, with one of `roles`. A
 * missing or unknown credential is 401, one of another role 403; both are
 * audited, since probing the admin API is what an auditor wants to see.
 */
export function authenticate(
  db: SqlExecutor,
  audit: AuditTrail,
  roles: readonly Role[],
  sessions?: SessionStore,
): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    const where = { method: req.method, path: req.path };
    const header = req.get('authorization');
    const match = BEARER.exec(header ?? '');
    const principal =
      match?.[1] !== undefined
        ? await findPrincipal(db, match[1])
        : header === undefined && sessions !== undefined
          ? await sessionPrincipal(db, sessions, req, res)
          : undefined;
    if (principal === undefined) {
      const error = new OrtooError('Unauthenticated', 'A valid bearer token is required');
      await audit.record({ event: 'auth-failed', outcome: 'refused', errorType: error.type, detail: where });
      res.set('WWW-Authenticate', 'Bearer realm="ortoo"');
      throw error;
    }
    if (!roles.includes(principal.role)) {
      const error = new OrtooError('Forbidden', `This needs the role ${roles.join(' or ')}`, {
        detail: { role: principal.role },
      });
      await audit.record({
        event: 'forbidden',
        outcome: 'refused',
        errorType: error.type,
        actor: principal.name,
        detail: { ...where, role: principal.role },
      });
      throw error;
    }
    res.locals.principal = principal;
    next();
  };
}
