-- A service version may be described by an OpenAPI 3.0 or 3.1 document: kept
-- as its JSON (a YAML document is stored as the JSON it reads as), named by
-- the SHA-256 of its canonical JSON like the payload schemas, with the
-- endpoints it declares (method + path template, in document order) for the
-- global configuration. A single-schema service has none of the three.
ALTER TABLE services ADD COLUMN openapi_document jsonb;
ALTER TABLE services ADD COLUMN openapi_hash text;
ALTER TABLE services ADD COLUMN endpoints jsonb;
ALTER TABLE services ADD CONSTRAINT services_openapi_whole
  CHECK ((openapi_document IS NULL) = (openapi_hash IS NULL) AND (openapi_hash IS NULL) = (endpoints IS NULL));
CREATE INDEX services_openapi_hash ON services (openapi_hash) WHERE openapi_hash IS NOT NULL;
