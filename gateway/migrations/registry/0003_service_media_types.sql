-- Media types besides JSON a service takes as they are (bytes, not checked
-- against its request schema, which describes JSON): a body of any other
-- media type is refused with 415 by the client proxy and by the gateway.
ALTER TABLE services ADD COLUMN request_media_types jsonb NOT NULL DEFAULT '[]'::jsonb;
