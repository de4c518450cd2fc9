-- The registry: who is in the instance, what they provide, who may call what,
-- and the certificates the instance CA issued. Identifiers are stored in their
-- text form (see core/src/identifiers) and as parts where queries need them.

CREATE TABLE members (
  id                text PRIMARY KEY,            -- INSTANCE/CLASS/CODE
  instance          text NOT NULL,
  member_class      text NOT NULL,
  member_code       text NOT NULL,
  name              text NOT NULL,               -- legal name; Cyrillic allowed
  status            text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'revoked')),
  revoked_at        timestamptz,
  revocation_reason text,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE subsystems (
  id             text PRIMARY KEY,               -- member id + /SUBSYSTEM
  member_id      text NOT NULL REFERENCES members (id),
  subsystem_code text NOT NULL,
  name           text NOT NULL DEFAULT '',
  created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX subsystems_member ON subsystems (member_id);

CREATE TABLE security_servers (
  id                text PRIMARY KEY,            -- member id + /SERVER
  owner_id          text NOT NULL REFERENCES members (id),
  server_code       text NOT NULL,
  address           text NOT NULL,               -- base URL of its provider proxy
  status            text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'revoked')),
  revoked_at        timestamptz,
  revocation_reason text,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX security_servers_owner ON security_servers (owner_id);

CREATE TABLE services (
  service_id           text NOT NULL,            -- subsystem id + /SERVICE
  version              text NOT NULL,
  provider_id          text NOT NULL REFERENCES subsystems (id),
  service_code         text NOT NULL,
  title                text NOT NULL,
  request_schema       jsonb NOT NULL,
  response_schema      jsonb NOT NULL,
  request_schema_hash  text NOT NULL,            -- SHA-256 of the canonical schema, base64url
  response_schema_hash text NOT NULL,
  timeout_ms           integer NOT NULL CHECK (timeout_ms > 0),
  max_attempts         integer NOT NULL CHECK (max_attempts > 0),
  backoff_ms           integer NOT NULL CHECK (backoff_ms >= 0),
  data_subject_pointer text,                     -- JSON pointer into the request body
  enabled              boolean NOT NULL DEFAULT true,
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (service_id, version)
);
CREATE INDEX services_provider ON services (provider_id);

CREATE TABLE global_groups (
  id          text PRIMARY KEY,                  -- INSTANCE/GROUP
  instance    text NOT NULL,
  group_code  text NOT NULL,
  description text NOT NULL DEFAULT '',
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE global_group_members (
  group_id     text NOT NULL REFERENCES global_groups (id) ON DELETE CASCADE,
  subsystem_id text NOT NULL REFERENCES subsystems (id) ON DELETE CASCADE,
  added_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (group_id, subsystem_id)
);

-- A right to call every version of a service, held by a subsystem or a group.
CREATE TABLE access_rights (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  service_id text NOT NULL,
  client_id  text REFERENCES subsystems (id) ON DELETE CASCADE,
  group_id   text REFERENCES global_groups (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((client_id IS NULL) <> (group_id IS NULL))
);
CREATE UNIQUE INDEX access_rights_client ON access_rights (service_id, client_id) WHERE client_id IS NOT NULL;
CREATE UNIQUE INDEX access_rights_group ON access_rights (service_id, group_id) WHERE group_id IS NOT NULL;

CREATE TABLE certificates (
  serial             text PRIMARY KEY,           -- lower-case hex, see core/src/pki/serial-number.ts
  kind               text NOT NULL CHECK (kind IN ('sign', 'auth')),
  member_id          text NOT NULL REFERENCES members (id),
  security_server_id text REFERENCES security_servers (id),
  thumbprint         text NOT NULL UNIQUE,       -- x5t#S256
  subject            text NOT NULL,
  pem                text NOT NULL,
  status             text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'revoked')),
  not_before         timestamptz NOT NULL,
  not_after          timestamptz NOT NULL,
  revoked_at         timestamptz,
  revocation_reason  text,
  issued_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX certificates_member ON certificates (member_id);
CREATE INDEX certificates_server ON certificates (security_server_id);

-- One-time tokens an administrator hands to the operator of a new security server.
CREATE TABLE registration_tokens (
  id                 text PRIMARY KEY,
  token_hash         text NOT NULL UNIQUE,       -- SHA-256 of the token; the token itself is never stored
  security_server_id text NOT NULL,
  owner_id           text NOT NULL REFERENCES members (id),
  created_by         text NOT NULL,
  created_at         timestamptz NOT NULL DEFAULT now(),
  expires_at         timestamptz NOT NULL,
  used_at            timestamptz
);

CREATE TABLE registration_requests (
  id                      text PRIMARY KEY,      -- random UUID, also the server's handle to poll with
  token_id                text NOT NULL UNIQUE REFERENCES registration_tokens (id),
  security_server_id      text NOT NULL,
  owner_id                text NOT NULL REFERENCES members (id),
  address                 text NOT NULL,
  sign_csr                text NOT NULL,
  auth_csr                text NOT NULL,
  status                  text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
  submitted_at            timestamptz NOT NULL DEFAULT now(),
  decided_at              timestamptz,
  decided_by              text,
  decision_reason         text,
  sign_certificate_serial text REFERENCES certificates (serial),
  auth_certificate_serial text REFERENCES certificates (serial)
);

-- Bearer tokens of administrators and auditors.
CREATE TABLE api_tokens (
  id         text PRIMARY KEY,
  name       text NOT NULL,
  role       text NOT NULL CHECK (role IN ('admin', 'auditor')),
  token_hash text NOT NULL UNIQUE,               -- SHA-256 of the token
  created_by text,
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz
);

-- One row: bumped in the same transaction as every registry change, so the
-- global configuration knows when to rebuild and gateways can share a database.
CREATE TABLE registry_state (
  singleton  boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  version    bigint NOT NULL,
  changed_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO registry_state (version) VALUES (1);
