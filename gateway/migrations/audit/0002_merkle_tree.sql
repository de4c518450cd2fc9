-- The audit log as one append-only Merkle tree (RFC 9162) over the records of
-- every writer: each record is a leaf, numbered in commit order by the
-- sequencer's single row (an insert takes the next numbers under its lock),
-- leaf data the 32 bytes of the record's hash. Records written before this
-- migration become the first leaves, in seq order.
ALTER TABLE audit_log ADD COLUMN leaf_index bigint;
UPDATE audit_log SET leaf_index = numbered.i
  FROM (SELECT seq, row_number() OVER (ORDER BY seq) - 1 AS i FROM audit_log) AS numbered
  WHERE numbered.seq = audit_log.seq;
ALTER TABLE audit_log ALTER COLUMN leaf_index SET NOT NULL;
CREATE UNIQUE INDEX audit_log_leaf ON audit_log (leaf_index);

-- size: leaves numbered so far; legacy: leaves that predate the tree (their
-- writers never signed an opening record).
CREATE TABLE audit_log_sequencer (
  only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  size     bigint NOT NULL,
  legacy   bigint NOT NULL
);
INSERT INTO audit_log_sequencer (size, legacy) SELECT count(*), count(*) FROM audit_log;

-- Hashes of the tree's complete subtrees (level 0: the leaves), so any proof
-- is a few index lookups.
CREATE TABLE audit_log_tree (
  level smallint NOT NULL,
  idx   bigint NOT NULL,
  hash  bytea NOT NULL,
  PRIMARY KEY (level, idx)
);

-- Signed tree heads: C2SP tlog-checkpoint notes signed by the log's Ed25519 key.
CREATE TABLE audit_log_tree_heads (
  size      bigint PRIMARY KEY,
  root_hash bytea NOT NULL,
  note      text NOT NULL,
  at        timestamptz NOT NULL
);

-- The witnesses (security servers) and their Ed25519 cosigning keys, bound to
-- the server by its signing certificate when it first cosigned.
CREATE TABLE audit_log_witnesses (
  name          text PRIMARY KEY,
  server_id     text NOT NULL,
  public_key    bytea NOT NULL,
  registered_at timestamptz NOT NULL
);

-- Cosignatures (C2SP tlog-cosignature/v1) of tree heads, one per witness and size.
CREATE TABLE audit_log_cosignatures (
  size        bigint NOT NULL,
  witness     text NOT NULL,
  timestamp   bigint NOT NULL,
  line        text NOT NULL,
  received_at timestamptz NOT NULL,
  PRIMARY KEY (size, witness)
);

-- Retention archives records from the start of the tree: the last leaf it
-- removed, up to which verification takes the stored leaf hashes instead.
ALTER TABLE audit_log_archives ADD COLUMN up_to_leaf_index bigint;
