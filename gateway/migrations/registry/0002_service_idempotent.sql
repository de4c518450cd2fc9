-- A service whose every method may be called again with the same message (its backend uses
-- X-Road-Id as an idempotency key): a POST or PATCH in flight when its provider's server died is
-- then called again on redelivery, rather than answered Server.ServerProxy.OutcomeUnknown.
ALTER TABLE services ADD COLUMN idempotent boolean NOT NULL DEFAULT false;
