-- Events a consumer could not apply after its retries, parked so the rest of the partition moves on. A
-- read model with a parked event of an aggregate holds that aggregate's later events behind it (held),
-- so it is missing them, never wrong. Only positions and ids are kept: the events stay in the log.
CREATE SCHEMA IF NOT EXISTS deadletters;
CREATE TABLE IF NOT EXISTS deadletters.parked (
    id                bigserial PRIMARY KEY,
    consumer          text NOT NULL,
    event_id          text NOT NULL,
    event_type        text NOT NULL,
    aggregate_type    text NOT NULL,
    aggregate_id      uuid NOT NULL,
    aggregate_version int NOT NULL,
    position          bigint NOT NULL,
    error             text NOT NULL,
    held              boolean NOT NULL,
    parked_at         timestamptz NOT NULL,
    status            text NOT NULL DEFAULT 'parked' CHECK (status IN ('parked', 'retried', 'discarded')),
    resolved_at       timestamptz,
    resolved_by       text,
    reason            text,
    UNIQUE (consumer, event_id)
);
CREATE INDEX IF NOT EXISTS parked_open ON deadletters.parked (aggregate_id) WHERE status = 'parked';
