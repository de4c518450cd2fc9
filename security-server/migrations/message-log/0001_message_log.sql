-- The security server's message log: every signed request and answer this
-- server sent or received, whole (envelope, body, signature), append-only and
-- tamper-evident. Each writer process keeps its own hash chain (writer,
-- chain_seq, prev_hash, hash), so several servers behind one load balancer
-- append to one database without a global lock; a checkpoint signed with the
-- server's sign key over each chain's head makes rewriting a chain's tail
-- detectable too. Nothing but retention (archive, then delete) removes a row.
CREATE TABLE message_log (
  seq            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  writer         text NOT NULL,                 -- security-server:<host>:<pid>:<random>
  chain_seq      bigint NOT NULL,               -- 1, 2, 3, ... within the writer's chain
  at             timestamptz NOT NULL,
  prev_hash      text,                          -- NULL for chain_seq 1
  hash           text NOT NULL,
  direction      text NOT NULL CHECK (direction IN ('sent', 'received')),
  kind           text NOT NULL CHECK (kind IN ('request', 'response')),
  message_id     text NOT NULL,                 -- X-Road-Id: the same in a request and its answer
  client         text NOT NULL,
  service        text NOT NULL,
  status         integer,                       -- the answer's HTTP status; NULL for a request
  envelope_hash  text NOT NULL,                 -- SHA-256 of the canonical envelope (a response's requestHash names its request's)
  signed_message jsonb NOT NULL,                -- the whole SignedMessage: envelope, body, signature
  local_system   text,                          -- the local system it was sent for or answered to, when known
  UNIQUE (writer, chain_seq),
  CHECK ((chain_seq = 1) = (prev_hash IS NULL)),
  CHECK ((kind = 'response') = (status IS NOT NULL))
);
-- Lookups by message id (the provider proxy's redelivery, the client proxy's async answers), latest first.
CREATE INDEX message_log_message ON message_log (message_id, kind, seq);
-- Exports and retention select by time.
CREATE INDEX message_log_at ON message_log (at, seq);

-- Signed heads of the chains: detached JWS over
-- canonicalJson({writer, chainSeq, headHash, count, at}) by the server's sign key.
CREATE TABLE message_log_checkpoints (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  writer       text NOT NULL,
  chain_seq    bigint NOT NULL,
  head_hash    text NOT NULL,
  record_count bigint NOT NULL,
  at           timestamptz NOT NULL,
  signer       text NOT NULL,                   -- x5t#S256 of the signing certificate
  protected    text NOT NULL,
  signature    text NOT NULL
);
CREATE INDEX message_log_checkpoints_writer ON message_log_checkpoints (writer, chain_seq);
CREATE INDEX message_log_checkpoints_at ON message_log_checkpoints (at);

-- What retention removed: a chain's prefix up to and including up_to_chain_seq
-- went to the evidence bundle `file` (verified before the rows were deleted);
-- verification of what remains starts from head_hash.
CREATE TABLE message_log_archives (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  writer          text NOT NULL,
  up_to_chain_seq bigint NOT NULL,
  head_hash       text NOT NULL,
  record_count    bigint NOT NULL,
  file            text NOT NULL,
  at              timestamptz NOT NULL,
  UNIQUE (writer, up_to_chain_seq)
);
