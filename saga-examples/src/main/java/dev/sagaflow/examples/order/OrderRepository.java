package dev.sagaflow.examples.order;

import dev.sagaflow.examples.support.Database;
import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * The Order Service's {@code orders} table. Every change is idempotent, because saga steps run at
 * least once: creating an order that exists, or approving an approved one, changes nothing; a change
 * that contradicts the order's final state throws. Thread-safe.
 */
public final class OrderRepository {
    private final Database database;

    /** A repository on {@code database}; creates the table if it is missing. */
    public OrderRepository(Database database) {
        this.database = database;
        database.execute("CREATE TABLE IF NOT EXISTS orders (id VARCHAR(40) PRIMARY KEY,"
                + " customer_id VARCHAR(40) NOT NULL, amount DECIMAL(12, 2) NOT NULL, status VARCHAR(10) NOT NULL,"
                + " saga_id VARCHAR(40))");
    }

    /** Creates the order PENDING, unless it exists. */
    public void createPending(String orderId, String customerId, BigDecimal amount) {
        database.update("INSERT INTO orders (id, customer_id, amount, status) SELECT ?, ?, ?, 'PENDING'"
                + " WHERE NOT EXISTS (SELECT 1 FROM orders WHERE id = ?)", orderId, customerId, amount, orderId);
    }

    /** Records which saga settles the order. */
    public void attachSaga(String orderId, String sagaId) {
        database.update("UPDATE orders SET saga_id = ? WHERE id = ?", sagaId, orderId);
    }

    /**
     * Approves a PENDING order (an APPROVED one stays so).
     *
     * @throws IllegalStateException if the order does not exist or is REJECTED
     */
    public void approve(String orderId) {
        move(orderId, OrderStatus.PENDING, OrderStatus.APPROVED);
    }

    /**
     * Rejects a PENDING order (a REJECTED one stays so; a missing one is left missing: there is
     * nothing to undo).
     *
     * @throws IllegalStateException if the order is APPROVED
     */
    public void reject(String orderId) {
        if (find(orderId).isPresent()) {
            move(orderId, OrderStatus.PENDING, OrderStatus.REJECTED);
        }
    }

    /** The order, if it exists. */
    public Optional<Order> find(String orderId) {
        return database.query("SELECT id, customer_id, amount, status, saga_id FROM orders WHERE id = ?",
                OrderRepository::order, orderId).stream().findFirst();
    }

    private void move(String orderId, OrderStatus from, OrderStatus to) {
        int changed = database.update("UPDATE orders SET status = ? WHERE id = ? AND status IN (?, ?)", to.name(),
                orderId, from.name(), to.name());
        if (changed == 0) {
            String now = find(orderId).map(o -> o.status().name()).orElse("missing");
            throw new IllegalStateException("order " + orderId + " cannot become " + to + ": it is " + now);
        }
    }

    private static Order order(ResultSet row) throws SQLException {
        return new Order(row.getString(1), row.getString(2), row.getBigDecimal(3),
                OrderStatus.valueOf(row.getString(4)), row.getString(5));
    }
}
