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
    PRIMARY KEY (id),
    UNIQUE KEY ${prefix}instances_idempotency_uk (saga_name, idempotency_key),
    -- query() and claim(): by status, oldest first. Not by updated_at, which every write changes: an update that
-- changes no indexed column touches no index (on PostgreSQL it is a HOT update, in place on the page).
    KEY ${prefix}instances_status_created_idx (status, created_at, id),
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
