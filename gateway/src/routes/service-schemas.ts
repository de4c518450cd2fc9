import express from 'express';
import { OrtooError, canonicalJson, type JsonValue } from '../../../core/src';
import type { RouterFactory } from '../app';

/** A schema hash: SHA-256 of its canonical JSON, base64url without padding. */
const SCHEMA_HASH = /^[A-Za-z0-9_-]{43}$/;

/** The media type of a JSON Schema document. */
const SCHEMA_MEDIA_TYPE = 'application/schema+json';
/** The media type of an OpenAPI document in JSON. */
const OPENAPI_MEDIA_TYPE = 'application/vnd.oai.openapi+json';

/**
 * `GET /v1/service-schemas/:hash`: the request or response JSON Schema, or
 * the OpenAPI document, of a registered service, by the hash the global
 * configuration names it with,
 * without a bearer token (security servers fetch it to describe services to
 * their local systems; the configuration that lists the hashes is public too).
 * The body is the schema's canonical JSON, so its SHA-256 is the hash; a hash
 * names one schema for ever, so it may be cached for ever.
 */
export const serviceSchemasRouter: RouterFactory = (deps) => {
  const router = express.Router();

  router.get('/v1/service-schemas/:hash', async (req, res) => {
    const { hash } = req.params;
    if (!SCHEMA_HASH.test(hash)) {
      throw new OrtooError('BadRequest', 'A schema hash is a SHA-256 in base64url (43 characters)', {
        detail: { hash: hash.slice(0, 64) },
      });
    }
    const [row] = await deps.store.query<{ schema: JsonValue; openapi: boolean }>(
      `SELECT request_schema AS schema, false AS openapi FROM services WHERE request_schema_hash = $1
       UNION ALL
       SELECT response_schema AS schema, false AS openapi FROM services WHERE response_schema_hash = $1
       UNION ALL
       SELECT openapi_document AS schema, true AS openapi FROM services WHERE openapi_hash = $1
       LIMIT 1`,
      [hash],
    );
    if (row === undefined) {
      throw new OrtooError('NotFound', 'No registered service has a schema with this hash', {
        detail: { hash },
      });
    }
    res.set('Cache-Control', 'public, max-age=31536000, immutable');
    res
      .status(200)
      .type(row.openapi ? OPENAPI_MEDIA_TYPE : SCHEMA_MEDIA_TYPE)
      .send(canonicalJson(row.schema));
  });

  return router;
};
