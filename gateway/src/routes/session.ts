import { Router, type Request } from 'express';
import { OrtooError } from '../../../core/src';
import type { RouterFactory } from '../app';
import { clearedSessionCookie, sessionCookie, sessionIdOf } from '../console/session-cookie';
import type { SessionStore } from '../console/session-store';
import { principalOf, sessionOf } from '../middleware/authenticate';
import { validateBody } from '../middleware/validate-body';
import { findPrincipal } from '../registry/api-tokens';

/** A session cookie is Secure when the console is served over HTTPS. */
const secure = (req: Request) => req.secure;

/**
 * Console sessions: sign-in exchanges an API token for a session cookie (the
 * page never keeps the token), `GET` tells the page who is signed in and its
 * CSRF token, sign-out ends the session in Redis. Sign-ins, failed ones and
 * sign-outs are audited.
 */
export function sessionRouter(sessions: SessionStore): RouterFactory {
  return (deps, guards) => {
    const router = Router();

    router.post('/v1/session', validateBody(deps.schemas, 'session-create'), async (req, res) => {
      const { token } = req.body as { token: string };
      const principal = await findPrincipal(deps.store, token);
      if (principal === undefined) {
        const error = new OrtooError('Unauthenticated', 'That token is unknown or revoked');
        await deps.audit.record({
          event: 'auth-failed',
          outcome: 'refused',
          errorType: error.type,
          detail: { method: req.method, path: req.path },
        });
        throw error;
      }
      const { id, session } = await sessions.create(principal);
      await deps.audit.record({
        event: 'console.sign-in',
        outcome: 'ok',
        actor: principal.name,
        detail: { role: principal.role },
      });
      res
        .status(201)
        .set(
          'Set-Cookie',
          sessionCookie(id, { secure: secure(req), maxAgeSeconds: sessions.lifetimeSeconds }),
        )
        .set('Cache-Control', 'no-store')
        .json({
          name: session.name,
          role: session.role,
          csrfToken: session.csrfToken,
          expiresAt: session.expiresAt,
        });
    });

    router.get('/v1/session', guards.read, (_req, res) => {
      const principal = principalOf(res);
      const session = sessionOf(res);
      res.set('Cache-Control', 'no-store').json({
        name: principal.name,
        role: principal.role,
        ...(session === undefined ? {} : { csrfToken: session.csrfToken, expiresAt: session.expiresAt }),
      });
    });

    router.delete('/v1/session', guards.read, async (req, res) => {
      const id = sessionIdOf(req);
      if (sessionOf(res) === undefined || id === undefined) {
        throw new OrtooError('BadRequest', 'Only a console session can be signed out');
      }
      await sessions.end(id);
      await deps.audit.record({
        event: 'console.sign-out',
        outcome: 'ok',
        actor: principalOf(res).name,
        detail: {},
      });
      res
        .status(204)
        .set('Set-Cookie', clearedSessionCookie(secure(req)))
        .end();
    });

    return router;
  };
}
