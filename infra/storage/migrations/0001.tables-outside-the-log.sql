-- The tables that hold what the event log does not and a replay cannot rebuild, as first released:
-- the relay's position, issued documents, the landing's signing key, attempts, challenges and drafts, and
-- the notifications outbox. Written with IF NOT EXISTS because databases made before versioned migrations
-- already have them.
CREATE SCHEMA IF NOT EXISTS eventstore;
CREATE TABLE IF NOT EXISTS eventstore.relay_position (
    relay    text PRIMARY KEY,
    position bigint NOT NULL
);

CREATE SCHEMA IF NOT EXISTS documents;
CREATE TABLE IF NOT EXISTS documents.contract_documents (
    document_id uuid PRIMARY KEY,
    contract_id uuid NOT NULL,
    reason      text NOT NULL,
    sha256      text NOT NULL,
    size        int NOT NULL,
    created_at  timestamptz NOT NULL,
    pdf         bytea NOT NULL
);
CREATE INDEX IF NOT EXISTS contract_documents_contract ON documents.contract_documents (contract_id);
CREATE TABLE IF NOT EXISTS documents.invoice_documents (
    document_id uuid PRIMARY KEY,
    invoice_id  uuid NOT NULL,
    sha256      text NOT NULL,
    size        int NOT NULL,
    created_at  timestamptz NOT NULL,
    pdf         bytea NOT NULL
);
CREATE INDEX IF NOT EXISTS invoice_documents_invoice ON documents.invoice_documents (invoice_id);

CREATE SCHEMA IF NOT EXISTS landing;
CREATE TABLE IF NOT EXISTS landing.signing_key (
    id     int PRIMARY KEY CHECK (id = 1),
    secret bytea NOT NULL
);
CREATE TABLE IF NOT EXISTS landing.attempts (
    subject      text NOT NULL,
    attempted_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS attempts_subject ON landing.attempts (subject, attempted_at);
CREATE INDEX IF NOT EXISTS attempts_age ON landing.attempts (attempted_at);
CREATE TABLE IF NOT EXISTS landing.challenges (
    challenge_id uuid PRIMARY KEY,
    client_id    uuid,
    code_digest  bytea NOT NULL,
    expires_at   timestamptz NOT NULL,
    tries_left   int NOT NULL,
    used_at      timestamptz,
    forgiven     text[] NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS challenges_expiry ON landing.challenges (expires_at);
CREATE TABLE IF NOT EXISTS landing.drafts (
    token_digest text PRIMARY KEY,
    body         jsonb NOT NULL,
    saved_at     timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS drafts_expiry ON landing.drafts (expires_at);

CREATE SCHEMA IF NOT EXISTS notifications;
CREATE TABLE IF NOT EXISTS notifications.outbox (
    id              bigserial PRIMARY KEY,
    notification_id uuid NOT NULL UNIQUE,
    channel         text NOT NULL,
    recipient       text NOT NULL,
    body            text NOT NULL,
    created_at      timestamptz NOT NULL,
    expires_at      timestamptz
);
