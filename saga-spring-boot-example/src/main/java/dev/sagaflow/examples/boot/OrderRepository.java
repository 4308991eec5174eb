package dev.sagaflow.examples.boot;

import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/**
 * The {@code orders} table, through {@link JdbcTemplate}. Called from the saga's local steps, its statements run in
 * the step's store transaction (the starter binds that transaction's connection for the application's
 * {@code DataSource}), so each commits with the step's checkpoint or not at all. Its methods are not
 * {@code @Transactional}: inside a step, the step's transaction is the one to be in. Thread-safe.
 */
@Repository
public class OrderRepository {
    private final JdbcTemplate jdbc;

    /** A repository on {@code jdbc}. */
    public OrderRepository(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** Inserts the order, {@code PENDING}. */
    public void insertPending(OrderSagaData order) {
        jdbc.update("INSERT INTO orders (id, customer_id, amount, status) VALUES (?, ?, ?, ?)",
                order.orderId(), order.customerId(), order.amount(), Order.PENDING);
    }

    /**
     * Approves a {@code PENDING} order.
     *
     * @throws IllegalStateException if there is no such order or it is not {@code PENDING}
     */
    public void approve(String orderId) {
        changeStatus(orderId, Order.APPROVED);
    }

    /**
     * Rejects a {@code PENDING} order.
     *
     * @throws IllegalStateException if there is no such order or it is not {@code PENDING}
     */
    public void reject(String orderId) {
        changeStatus(orderId, Order.REJECTED);
    }

    /** The order, if it exists. */
    public Optional<Order> find(String orderId) {
        return jdbc.query("SELECT id, customer_id, amount, status FROM orders WHERE id = ?",
                (rs, row) -> new Order(rs.getString("id"), rs.getString("customer_id"), rs.getBigDecimal("amount"),
                        rs.getString("status")), orderId).stream().findFirst();
    }

    private void changeStatus(String orderId, String status) {
        // Local steps run exactly once, so the order is always PENDING here; anything else is a bug worth a failure.
        int updated = jdbc.update("UPDATE orders SET status = ? WHERE id = ? AND status = ?", status, orderId,
                Order.PENDING);
        if (updated != 1) {
            throw new IllegalStateException("order " + orderId + " is not PENDING: cannot make it " + status);
        }
    }
}
