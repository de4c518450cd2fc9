-- The gateway's audit log: one row per step that matters, append-only and
-- tamper-evident. Each writer process (one gateway) keeps its own hash chain
-- (writer, chain_seq, prev_hash, hash), so several gateways append without a
-- global lock; a signed checkpoint over each chain's head makes rewriting a
-- chain's tail detectable too. Nothing in the gateway updates or deletes a row:
-- on PostgreSQL its role is granted INSERT and SELECT only (see the README).
CREATE TABLE audit_log (
  seq                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  writer             text NOT NULL,                 -- gateway:<host>:<pid>:<random>
  chain_seq          bigint NOT NULL,               -- 1, 2, 3, ... within the writer's chain
  at                 timestamptz NOT NULL,
  prev_hash          text,                          -- NULL for chain_seq 1
  hash               text NOT NULL,
  event              text NOT NULL,                 -- accepted, queued, delivered, answered, admin-change, auditor-query, ...
  outcome            text NOT NULL CHECK (outcome IN ('ok', 'refused', 'failed')),
  error_type         text,                          -- X-Road fault type when refused or failed
  actor              text,                          -- who did it: token name, security server id
  message_id         text,
  client             text,
  service            text,
  user_id            text,                          -- X-Road-UserId of the request
  security_server    text,
  request_hash       text,
  response_hash      text,
  request_signature  text,
  response_signature text,
  subject_hash       text,                          -- HMAC of the data subject's identifier, never the identifier
  detail             jsonb NOT NULL DEFAULT '{}'::jsonb,
  UNIQUE (writer, chain_seq),
  CHECK ((chain_seq = 1) = (prev_hash IS NULL))
);
-- Searches filter on one column and page by seq.
CREATE INDEX audit_log_at ON audit_log (at, seq);
CREATE INDEX audit_log_message ON audit_log (message_id, seq) WHERE message_id IS NOT NULL;
CREATE INDEX audit_log_client ON audit_log (client, seq) WHERE client IS NOT NULL;
CREATE INDEX audit_log_service ON audit_log (service, seq) WHERE service IS NOT NULL;
CREATE INDEX audit_log_user ON audit_log (user_id, seq) WHERE user_id IS NOT NULL;
CREATE INDEX audit_log_server ON audit_log (security_server, seq) WHERE security_server IS NOT NULL;
CREATE INDEX audit_log_event ON audit_log (event, seq);
CREATE INDEX audit_log_subject ON audit_log (subject_hash, seq) WHERE subject_hash IS NOT NULL;

-- Signed heads of the chains: detached JWS over
-- canonicalJson({writer, chainSeq, headHash, count, at}) by the audit-signing key.
CREATE TABLE audit_log_checkpoints (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  writer       text NOT NULL,
  chain_seq    bigint NOT NULL,
  head_hash    text NOT NULL,
  record_count bigint NOT NULL,
  at           timestamptz NOT NULL,
  signer       text NOT NULL,                       -- x5t#S256 of the signing certificate
  protected    text NOT NULL,
  signature    text NOT NULL
);
CREATE INDEX audit_log_checkpoints_writer ON audit_log_checkpoints (writer, chain_seq);
CREATE INDEX audit_log_checkpoints_at ON audit_log_checkpoints (at);

-- What retention removed: a chain's prefix up to and including up_to_chain_seq
-- went to the evidence bundle `file` (verified before the rows were deleted);
-- verification of what remains starts from head_hash.
CREATE TABLE audit_log_archives (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  writer          text NOT NULL,
  up_to_chain_seq bigint NOT NULL,
  head_hash       text NOT NULL,
  record_count    bigint NOT NULL,
  file            text NOT NULL,
  at              timestamptz NOT NULL,
  UNIQUE (writer, up_to_chain_seq)
);
