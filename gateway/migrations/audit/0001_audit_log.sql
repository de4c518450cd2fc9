-- The gateway's audit log: one row per step that matters, append-only.
-- The audit issue adds the hash chain and signed checkpoints on top.
CREATE TABLE audit_log (
  seq             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at              timestamptz NOT NULL,
  event           text NOT NULL,                 -- accepted, rejected, admin-change, auth-failed, ...
  outcome         text NOT NULL CHECK (outcome IN ('ok', 'refused', 'failed')),
  error_type      text,                          -- X-Road fault type when refused or failed
  actor           text,                          -- who did it: token name, security server id
  message_id      text,
  client          text,
  service         text,
  security_server text,
  detail          jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_message ON audit_log (message_id) WHERE message_id IS NOT NULL;
