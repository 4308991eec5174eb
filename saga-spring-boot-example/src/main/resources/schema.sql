-- The order service's tables (the Customer Service's too: it runs in the same process in this example). Run by
-- spring.sql.init at every start, on H2 and PostgreSQL alike, so every statement may run again. Sagaflow's own
-- tables are created by the starter (sagaflow.jdbc.create-schema=true).
CREATE TABLE IF NOT EXISTS orders (
    id          VARCHAR(36)    NOT NULL PRIMARY KEY,
    customer_id VARCHAR(100)   NOT NULL,
    amount      NUMERIC(19, 2) NOT NULL,
    status      VARCHAR(16)    NOT NULL
);

CREATE TABLE IF NOT EXISTS customers (
    id           VARCHAR(100)   NOT NULL PRIMARY KEY,
    credit_limit NUMERIC(19, 2) NOT NULL
);

-- One row per order whose credit is held: the key makes a repeated reservation a no-op.
CREATE TABLE IF NOT EXISTS credit_reservations (
    order_id    VARCHAR(36)    NOT NULL PRIMARY KEY,
    customer_id VARCHAR(100)   NOT NULL,
    amount      NUMERIC(19, 2) NOT NULL
);
