-- Sagaflow JDBC store schema for H2 2.x.
-- ${prefix} stands for the table prefix (saga_ by default); replace it before running this file by hand.
-- Every timestamp column holds microseconds since 1970-01-01T00:00:00Z (UTC), whatever the session time zone.
-- Safe to run again: it creates only what is missing and never drops anything.

CREATE TABLE IF NOT EXISTS ${prefix}instances (
    id              VARCHAR(100)  NOT NULL,
    saga_name       VARCHAR(200)  NOT NULL,
    saga_version    INTEGER       NOT NULL,
    fingerprint     VARCHAR(128)  NOT NULL,
    idempotency_key VARCHAR(500),
    status          VARCHAR(20)   NOT NULL,
    data            CLOB          NOT NULL,
    steps           CLOB          NOT NULL,
    created_at      BIGINT        NOT NULL,
    updated_at      BIGINT        NOT NULL,
    deadline        BIGINT,
    owner           VARCHAR(200),
    lease_until     BIGINT,
    version         BIGINT        NOT NULL,
    error           CLOB,
    metadata        CLOB,
    CONSTRAINT ${prefix}instances_pk PRIMARY KEY (id),
    CONSTRAINT ${prefix}instances_idempotency_uk UNIQUE (saga_name, idempotency_key)
);

-- query() and claim(): by status, oldest first. Not by updated_at, which every write changes: an update that
-- changes no indexed column touches no index (on PostgreSQL it is a HOT update, in place on the page).
CREATE INDEX IF NOT EXISTS ${prefix}instances_status_created_idx ON ${prefix}instances (status, created_at, id);

-- query() without a status (the console's list pages) by creation and by saga name, and count().
CREATE INDEX IF NOT EXISTS ${prefix}instances_created_idx ON ${prefix}instances (created_at, id);
CREATE INDEX IF NOT EXISTS ${prefix}instances_name_created_idx ON ${prefix}instances (saga_name, created_at, id);
CREATE INDEX IF NOT EXISTS ${prefix}instances_name_status_idx ON ${prefix}instances (saga_name, status);

-- renewLeases() and releaseLeases(): by owner.
CREATE INDEX IF NOT EXISTS ${prefix}instances_owner_idx ON ${prefix}instances (owner);

CREATE TABLE IF NOT EXISTS ${prefix}history (
    -- One row per write that records history: the entries of that write, in order (see HistoryJson),
    -- keyed by the instance version the write produced; history() reads them by this key.
    saga_id VARCHAR(100) NOT NULL,
    version BIGINT       NOT NULL,
    entries CLOB         NOT NULL,
    CONSTRAINT ${prefix}history_pk PRIMARY KEY (saga_id, version)
);

-- One row per node id: the process incarnation that holds it and until when (microseconds, database clock).
CREATE TABLE IF NOT EXISTS ${prefix}nodes (
    node_id     VARCHAR(200) NOT NULL,
    incarnation VARCHAR(200) NOT NULL,
    lease_until BIGINT       NOT NULL,
    CONSTRAINT ${prefix}nodes_pk PRIMARY KEY (node_id)
);

-- Participants' replies, recorded by whichever node received them, until the instance's owner applies one
-- (the write that applies it deletes it). One per instance and step.
CREATE TABLE IF NOT EXISTS ${prefix}replies (
    saga_id     VARCHAR(100) NOT NULL,
    step        VARCHAR(200) NOT NULL,
    succeeded   BOOLEAN      NOT NULL,
    payload     CLOB,
    reason      CLOB,
    received_at BIGINT       NOT NULL,
    CONSTRAINT ${prefix}replies_pk PRIMARY KEY (saga_id, step)
);

-- The transactional outbox: command messages written with the checkpoint of the step that sends them, relayed
-- to a broker in seq order per instance. status is PENDING (claimed by a relay until claim_until, or not),
-- SENT or FAILED (refused by the broker for good, with the reason).
CREATE TABLE IF NOT EXISTS ${prefix}outbox (
    seq         BIGINT GENERATED ALWAYS AS IDENTITY,
    id          VARCHAR(100) NOT NULL,
    saga_id     VARCHAR(100) NOT NULL,
    saga_name   VARCHAR(200) NOT NULL,
    step        VARCHAR(200) NOT NULL,
    destination VARCHAR(500) NOT NULL,
    payload     CLOB         NOT NULL,
    headers     CLOB         NOT NULL,
    created_at  BIGINT       NOT NULL,
    status      VARCHAR(10)  NOT NULL,
    claimed_by  VARCHAR(200),
    claim_until BIGINT,
    done_at     BIGINT,
    reason      CLOB,
    CONSTRAINT ${prefix}outbox_pk PRIMARY KEY (seq),
    CONSTRAINT ${prefix}outbox_id_uk UNIQUE (id)
);

-- claimOutbox(): the pending messages, oldest first, and the older pending message of the same instance.
CREATE INDEX IF NOT EXISTS ${prefix}outbox_pending_idx ON ${prefix}outbox (status, seq);
CREATE INDEX IF NOT EXISTS ${prefix}outbox_pending_saga_idx ON ${prefix}outbox (saga_id, status, seq);
