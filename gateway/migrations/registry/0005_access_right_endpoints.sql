-- Access rights per endpoint, as X-Road has them: a right names a method (or
-- '*') and a path pattern (core/src/exchange/endpoint-pattern.ts), or neither,
-- and then covers every endpoint of the service. Existing rows have neither:
-- they stay rights to the whole service.
ALTER TABLE access_rights
  ADD COLUMN endpoint_method text,
  ADD COLUMN endpoint_path   text,
  ADD CONSTRAINT access_rights_endpoint_whole CHECK ((endpoint_method IS NULL) = (endpoint_path IS NULL));

-- One right per holder and endpoint (the whole service counting as one).
DROP INDEX access_rights_client;
DROP INDEX access_rights_group;
CREATE UNIQUE INDEX access_rights_client ON access_rights
  (service_id, client_id, coalesce(endpoint_method, ''), coalesce(endpoint_path, '')) WHERE client_id IS NOT NULL;
CREATE UNIQUE INDEX access_rights_group ON access_rights
  (service_id, group_id, coalesce(endpoint_method, ''), coalesce(endpoint_path, '')) WHERE group_id IS NOT NULL;
