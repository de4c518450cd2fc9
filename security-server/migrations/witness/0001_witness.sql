-- This server as a witness of the gateway's audit log: the largest checkpoint
-- it cosigned (per log origin), and the evidence of every checkpoint it
-- refused (a fork, a shrink, a rewrite): both signed notes and the proof.
CREATE TABLE witness_checkpoints (
  origin      text PRIMARY KEY,
  size        bigint NOT NULL,
  root_hash   bytea NOT NULL,
  note        text NOT NULL,                        -- the log-signed checkpoint with this server's cosignature
  cosigned_at timestamptz NOT NULL
);

CREATE TABLE witness_conflicts (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  origin       text NOT NULL,
  reason       text NOT NULL,                       -- shrink, fork, inconsistent
  message      text NOT NULL,
  held_note    text NOT NULL,
  offered_note text NOT NULL,
  proof        jsonb NOT NULL,                      -- base64 hashes of the consistency proof offered
  at           timestamptz NOT NULL
);
