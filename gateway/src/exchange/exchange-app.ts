import express, { type Express, type Request } from 'express';
import { OrtooError, type Logger, peerThumbprint, readRequestBody } from '../../../core/src';
import { errorHandler } from '../middleware/error-handler';
import { statusUrlOf, type ExchangePipeline } from './exchange-pipeline';

/** Options of {@link createExchangeApp}. */
export interface ExchangeAppOptions {
  readonly pipeline: ExchangePipeline;
  /** Largest body accepted; a larger one is refused before it is read whole. */
  readonly bodyLimitBytes: number;
  readonly logger: Logger;
}

/** The preferences of RFC 7240 `Prefer` headers, as lower-case tokens without values. */
function preferences(req: Request): Set<string> {
  const tokens = new Set<string>();
  for (const part of (req.get('prefer') ?? '').split(',')) {
    const token = part.split(/[;=]/, 1)[0]?.trim().toLowerCase();
    if (token) tokens.add(token);
  }
  return tokens;
}

/**
 * Reads a message's bytes with the core's body reader (size limit, idle timeout).
 *
 * @throws OrtooError `UnsupportedMediaType` for a body that is not JSON, `PayloadTooLarge`, `RequestTimeout`.
 */
async function readBody(req: Request, limit: number): Promise<Buffer> {
  if (!(req.is('application/json') ?? false) && req.get('content-length') !== '0') {
    throw new OrtooError('UnsupportedMediaType', 'A message must be sent as application/json');
  }
  return readRequestBody(req, { limitBytes: limit });
}

/**
 * The exchange listener's application, served over mutual TLS to security
 * servers only: `POST /v1/exchange` takes a signed request and answers the
 * provider's signed answer (or 202 for `Prefer: respond-async`);
 * `GET /v1/exchange/:id` tells where a message stands.
 */
export function createExchangeApp(options: ExchangeAppOptions): Express {
  const { pipeline, bodyLimitBytes } = options;
  const app = express();
  app.set('etag', false);
  app.disable('x-powered-by');

  app.post('/v1/exchange', async (req, res) => {
    const prefer = preferences(req);
    let body: Buffer;
    try {
      body = await readBody(req, bodyLimitBytes);
    } catch (error) {
      // Refused before the pipeline saw it: the pipeline still counts and audits it.
      await pipeline.refuseUnread(peerThumbprint(req), error);
      res.set('Connection', 'close');
      throw error;
    }
    const result = await pipeline.submit({
      body,
      peerThumbprint: peerThumbprint(req),
      respondAsync: prefer.has('respond-async'),
      callback: prefer.has('ortoo-callback'),
      onId: (id) => res.set('X-Road-Id', id),
    });
    if (result.kind === 'queued') {
      const statusUrl = statusUrlOf(result.id);
      res.status(202).set({ Location: statusUrl, 'Preference-Applied': 'respond-async' });
      res.json({ id: result.id, status: 'queued', statusUrl });
      return;
    }
    res.status(200).json(result.answer);
  });

  app.get('/v1/exchange/:id', async (req, res) => {
    res.json(await pipeline.status(req.params.id, peerThumbprint(req)));
  });

  app.use((req, _res, next) => {
    next(new OrtooError('NotFound', `No route ${req.method} ${req.path}`));
  });
  app.use(errorHandler(options.logger));
  return app;
}
