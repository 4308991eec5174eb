-- Sagaflow JDBC store schema for MySQL 8.0+ and MariaDB 10.6+ (InnoDB, utf8mb4).
-- ${prefix} stands for the table prefix (saga_ by default); replace it before running this file by hand.
-- Every timestamp column holds microseconds since 1970-01-01T00:00:00Z (UTC), whatever the session time zone.
-- Safe to run again: it creates only what is missing and never drops anything. The indexes are declared
-- inside CREATE TABLE because MySQL has no CREATE INDEX IF NOT EXISTS.
-- JSON columns are LONGTEXT checked by json_valid() (what JSON means on MariaDB): the store returns saga
-- data as exactly the text it was given, which MySQL's binary JSON type would not. No size cap.

CREATE TABLE IF NOT EXISTS ${prefix}instances (
    id              VARCHAR(100)  NOT NULL,
    saga_name       VARCHAR(200)  NOT NULL,
    saga_version    INTEGER       NOT NULL,
    fingerprint     VARCHAR(128)  NOT NULL,
    idempotency_key VARCHAR(500),
    status          VARCHAR(20)   NOT NULL,
    data            LONGTEXT      NOT NULL CHECK (json_valid(data)),
    steps           LONGTEXT      NOT NULL CHECK (json_valid(steps)),
    created_at      BIGINT        NOT NULL,
    updated_at      BIGINT        NOT NULL,
    deadline        BIGINT,
    owner           VARCHAR(200),
    lease_until     BIGINT,
    version         BIGINT        NOT NULL,
    error           LONGTEXT,
    metadata        LONGTEXT,
    PRIMARY KEY (id),
    UNIQUE KEY ${prefix}instances_idempotency_uk (saga_name, idempotency_key),
    -- query() and claim(): by status, oldest first. Not by updated_at, which every write changes: an update that
-- changes no indexed column touches no index (on PostgreSQL it is a HOT update, in place on the page).
    KEY ${prefix}instances_status_created_idx (status, created_at, id),
    -- query() without a status (the console's list pages) by creation and by saga name, and count().
    KEY ${prefix}instances_created_idx (created_at, id),
    KEY ${prefix}instances_name_created_idx (saga_name, created_at, id),
    KEY ${prefix}instances_name_status_idx (saga_name, status),
    -- renewLeases() and releaseLeases(): by owner.
    KEY ${prefix}instances_owner_idx (owner)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE IF NOT EXISTS ${prefix}history (
    -- One row per write that records history: the entries of that write, in order (see HistoryJson),
    -- keyed by the instance version the write produced; history() reads them by this key.
    saga_id VARCHAR(100) NOT NULL,
    version BIGINT       NOT NULL,
    entries LONGTEXT     NOT NULL,
    PRIMARY KEY (saga_id, version)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- One row per node id: the process incarnation that holds it and until when (microseconds, database clock).
CREATE TABLE IF NOT EXISTS ${prefix}nodes (
    node_id     VARCHAR(200) NOT NULL,
    incarnation VARCHAR(200) NOT NULL,
    lease_until BIGINT       NOT NULL,
    PRIMARY KEY (node_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- Participants' replies, recorded by whichever node received them, until the instance's owner applies one
-- (the write that applies it deletes it). One per instance and step.
CREATE TABLE IF NOT EXISTS ${prefix}replies (
    saga_id     VARCHAR(100) NOT NULL,
    step        VARCHAR(200) NOT NULL,
    succeeded   BOOLEAN      NOT NULL,
    payload     LONGTEXT,
    reason      LONGTEXT,
    received_at BIGINT       NOT NULL,
    PRIMARY KEY (saga_id, step)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- The transactional outbox: command messages written with the checkpoint of the step that sends them, relayed
-- to a broker in seq order per instance. status is PENDING (claimed by a relay until claim_until, or not),
-- SENT or FAILED (refused by the broker for good, with the reason).
CREATE TABLE IF NOT EXISTS ${prefix}outbox (
    seq         BIGINT       NOT NULL AUTO_INCREMENT,
    id          VARCHAR(100) NOT NULL,
    saga_id     VARCHAR(100) NOT NULL,
    saga_name   VARCHAR(200) NOT NULL,
    step        VARCHAR(200) NOT NULL,
    destination VARCHAR(500) NOT NULL,
    payload     LONGTEXT     NOT NULL,
    headers     LONGTEXT     NOT NULL,
    created_at  BIGINT       NOT NULL,
    status      VARCHAR(10)  NOT NULL,
    claimed_by  VARCHAR(200),
    claim_until BIGINT,
    done_at     BIGINT,
    reason      LONGTEXT,
    PRIMARY KEY (seq),
    UNIQUE KEY ${prefix}outbox_id_uk (id),
    -- claimOutbox(): the pending messages, oldest first, and the older pending message of the same instance.
    KEY ${prefix}outbox_pending_idx (status, seq),
    KEY ${prefix}outbox_pending_saga_idx (saga_id, status, seq)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
