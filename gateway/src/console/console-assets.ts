import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import express, { Router } from 'express';
import { OrtooError } from '../../../core/src';
import type { RouterFactory } from '../app';

/** Where `npm install` builds the console (`console/`, with Vite). */
export const CONSOLE_DIST_DIR = path.resolve(__dirname, '..', '..', '..', 'console', 'dist');

/** Where the console is served on the admin listener. */
export const CONSOLE_PATH = '/console';

/**
 * The console's Content-Security-Policy: its own scripts and styles only (no
 * inline script, no eval), talking only to this origin, never framed.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers of every console answer. */
const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': CONSOLE_CSP,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
};

/**
 * Serves the built console at `/console`: hashed assets cached for good, and
 * `index.html` (never cached) for every other path below it, so the page's
 * own routes survive a reload. Without a build, a 503 page says how to make one.
 */
export function consoleAssetsRouter(dir: string = CONSOLE_DIST_DIR): RouterFactory {
  return () => consoleRouter(dir);
}

function consoleRouter(dir: string): Router {
  const router = Router();
  router.use(CONSOLE_PATH, (_req, res, next) => {
    res.set(SECURITY_HEADERS);
    next();
  });
  router.get('/', (_req, res) => res.redirect(302, `${CONSOLE_PATH}/`));
  router.use(
    `${CONSOLE_PATH}/assets`,
    express.static(path.join(dir, 'assets'), { immutable: true, maxAge: '365d', index: false }),
    (req, _res, next) => next(new OrtooError('NotFound', `No console file ${req.path}`)),
  );
  router.get(`${CONSOLE_PATH}{/*rest}`, (_req, res) => {
    const index = path.join(dir, 'index.html');
    if (!existsSync(index)) {
      res
        .status(503)
        .type('text/plain')
        .send('The console is not built: run `npm run build:console` (npm install does it).');
      return;
    }
    res.set('Cache-Control', 'no-store').type('html').send(readFileSync(index));
  });
  return router;
}
