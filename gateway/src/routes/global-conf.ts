import express from 'express';
import { GLOBAL_CONF_MEDIA_TYPE } from '../../../core/src';
import type { RouterFactory } from '../app';

/**
 * True when `If-None-Match` names `etag`: a list of entity tags or `*`,
 * compared weakly as RFC 9110 §13.1.2 asks (a `W/` prefix is ignored).
 */
function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  return ifNoneMatch
    .split(',')
    .map((tag) => tag.trim().replace(/^W\//, ''))
    .some((tag) => tag === '*' || tag === etag);
}

/**
 * `GET /v1/global-conf`: the signed global configuration, without a bearer
 * token (it is public and signed; security servers poll it). Clients must
 * revalidate every time (`no-cache`), which costs them a 304 when nothing changed.
 */
export const globalConfRouter: RouterFactory = (deps) => {
  const publisher = deps.globalConf;
  const router = express.Router();

  router.get('/v1/global-conf', async (req, res) => {
    const published = await publisher.current();
    res.set({ 'Cache-Control': 'no-cache', ETag: published.etag });
    if (matches(req.get('if-none-match'), published.etag)) {
      res.status(304).end();
      return;
    }
    res.status(200).type(GLOBAL_CONF_MEDIA_TYPE).send(published.body);
  });

  return router;
};
