import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { OrtooError, type SqlExecutor } from '../../../core/src';
import type { AuditTrail } from '../audit/audit-trail';
import { findPrincipal, type Principal, type Role } from '../registry/api-tokens';

/** The principal the request was authenticated as; set by {@link authenticate}. */
export function principalOf(res: Response): Principal {
  const principal = res.locals.principal as Principal | undefined;
  if (principal === undefined) throw new OrtooError('Unauthenticated', 'Not authenticated');
  return principal;
}

const BEARER = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/;

/**
 * Requires a valid bearer token (`Authorization: Bearer ortoo_…`) with one of
 * `roles`. A missing or unknown token is 401, a token of another role 403;
 * both are audited, since probing the admin API is what an auditor wants to see.
 */
export function authenticate(db: SqlExecutor, audit: AuditTrail, roles: readonly Role[]): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    const where = { method: req.method, path: req.path };
    const match = BEARER.exec(req.get('authorization') ?? '');
    const principal = match?.[1] === undefined ? undefined : await findPrincipal(db, match[1]);
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
