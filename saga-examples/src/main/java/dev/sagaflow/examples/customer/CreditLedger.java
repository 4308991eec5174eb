package dev.sagaflow.examples.customer;

import dev.sagaflow.examples.customer.Reservation.Status;
import dev.sagaflow.examples.support.Database;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Customers' credit, in the Customer Service's own tables ({@code customers},
 * {@code credit_reservations}). Every request is recorded under its idempotency key, with its outcome,
 * in the same local transaction that changes the credit: a request that arrives again (a redelivered
 * message, a step re-run after a crash) gets the recorded outcome and changes nothing. A customer
 * without an account has no credit, so a request for one is rejected. Thread-safe.
 */
public final class CreditLedger {
    private static final String RESERVATION_COLUMNS =
            "idempotency_key, reservation_id, customer_id, order_id, amount, status, reason";

    private final Database database;

    /** A ledger on {@code database}; creates its tables if they are missing. */
    public CreditLedger(Database database) {
        this.database = database;
        database.execute(
                "CREATE TABLE IF NOT EXISTS customers (id VARCHAR(40) PRIMARY KEY, name VARCHAR(100) NOT NULL,"
                        + " credit_limit DECIMAL(12, 2) NOT NULL)",
                "CREATE TABLE IF NOT EXISTS credit_reservations (idempotency_key VARCHAR(200) PRIMARY KEY,"
                        + " reservation_id VARCHAR(40), customer_id VARCHAR(40) NOT NULL, order_id VARCHAR(40) NOT NULL,"
                        + " amount DECIMAL(12, 2) NOT NULL, status VARCHAR(10) NOT NULL, reason VARCHAR(300))");
    }

    /** Opens a customer's account with a credit limit (again: changes nothing). */
    public void openAccount(String customerId, String name, BigDecimal creditLimit) {
        database.update("MERGE INTO customers (id, name, credit_limit) KEY (id) VALUES (?, ?, ?)", customerId, name,
                creditLimit);
    }

    /** The customer's name, if the customer has an account. */
    public Optional<String> customerName(String customerId) {
        return database.query("SELECT name FROM customers WHERE id = ?", row -> row.getString(1), customerId)
                .stream().findFirst();
    }

    /** The credit limit less what is reserved; zero for a customer without an account. */
    public BigDecimal availableCredit(String customerId) {
        return database.inTransaction(connection -> available(connection, customerId));
    }

    /**
     * Reserves {@code amount} of the customer's credit for an order, or rejects the request when the
     * available credit is lower, and records the outcome under {@code key}. A key seen before returns
     * the recorded outcome, marked {@link Reservation#repeated()}, and changes nothing.
     */
    public Reservation reserve(String key, String orderId, String customerId, BigDecimal amount) {
        return database.inTransaction(connection -> {
            Optional<Reservation> recorded = find(connection, key);
            if (recorded.isPresent()) {
                return recorded.get().asRepeated();
            }
            Reservation outcome = decide(connection, key, orderId, customerId, amount);
            Database.update(connection, "INSERT INTO credit_reservations (" + RESERVATION_COLUMNS
                    + ") VALUES (?, ?, ?, ?, ?, ?, ?)", key, outcome.reservationId(), customerId, orderId, amount,
                    outcome.status().name(), outcome.reason());
            return outcome;
        });
    }

    /**
     * Gives back the credit reserved under {@code key}. Idempotent, and safe before the request itself:
     * a release for a key never seen records the key as released, so that the request, if it comes
     * later, reserves nothing.
     *
     * @return {@code true} if credit was given back by this call
     */
    public boolean release(String key, String orderId, String customerId) {
        return database.inTransaction(connection -> {
            int released = Database.update(connection, "UPDATE credit_reservations SET status = 'RELEASED'"
                    + " WHERE idempotency_key = ? AND status = 'RESERVED'", key);
            if (released == 0 && find(connection, key).isEmpty()) {
                Database.update(connection, "INSERT INTO credit_reservations (" + RESERVATION_COLUMNS
                        + ") VALUES (?, NULL, ?, ?, 0, 'RELEASED', 'released before it was requested')", key,
                        customerId, orderId);
            }
            return released == 1;
        });
    }

    /** Every credit request recorded for an order, oldest key first. */
    public List<Reservation> reservationsFor(String orderId) {
        return database.query("SELECT " + RESERVATION_COLUMNS + " FROM credit_reservations WHERE order_id = ?"
                + " ORDER BY idempotency_key", CreditLedger::reservation, orderId);
    }

    private Reservation decide(Connection connection, String key, String orderId, String customerId, BigDecimal amount)
            throws SQLException {
        List<BigDecimal> limit = Database.query(connection, "SELECT credit_limit FROM customers WHERE id = ? FOR UPDATE",
                row -> row.getBigDecimal(1), customerId);
        if (limit.isEmpty()) {
            return rejected(key, orderId, customerId, amount, "customer " + customerId + " has no credit account");
        }
        BigDecimal available = available(connection, customerId);
        if (amount.compareTo(available) > 0) {
            return rejected(key, orderId, customerId, amount,
                    "credit limit exceeded: " + amount + " asked, " + available + " available");
        }
        String reservationId = "cr-" + UUID.randomUUID().toString().substring(0, 8);
        return new Reservation(key, reservationId, customerId, orderId, amount, Status.RESERVED, null, false);
    }

    private static Reservation rejected(String key, String orderId, String customerId, BigDecimal amount,
            String reason) {
        return new Reservation(key, null, customerId, orderId, amount, Status.REJECTED, reason, false);
    }

    private static BigDecimal available(Connection connection, String customerId) throws SQLException {
        List<BigDecimal> limit = Database.query(connection, "SELECT credit_limit FROM customers WHERE id = ?",
                row -> row.getBigDecimal(1), customerId);
        if (limit.isEmpty()) {
            return BigDecimal.ZERO;
        }
        BigDecimal reserved = Database.query(connection, "SELECT COALESCE(SUM(amount), 0) FROM credit_reservations"
                + " WHERE customer_id = ? AND status = 'RESERVED'", row -> row.getBigDecimal(1), customerId).get(0);
        return limit.get(0).subtract(reserved);
    }

    private static Optional<Reservation> find(Connection connection, String key) throws SQLException {
        return Database.query(connection, "SELECT " + RESERVATION_COLUMNS + " FROM credit_reservations"
                + " WHERE idempotency_key = ?", CreditLedger::reservation, key).stream().findFirst();
    }

    private static Reservation reservation(ResultSet row) throws SQLException {
        return new Reservation(row.getString(1), row.getString(2), row.getString(3), row.getString(4),
                row.getBigDecimal(5), Status.valueOf(row.getString(6)), row.getString(7), false);
    }
}
