package dev.sagaflow.jdbc.local;

import dev.sagaflow.BusinessRejection;
import dev.sagaflow.Saga;
import dev.sagaflow.SagaDefinition;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.function.Consumer;
import javax.sql.DataSource;

/**
 * A saga whose first step is local: it writes the order row in the saga store's own database, in the
 * transaction that records the step. Shared by the in-process tests and the crashing child JVM.
 */
public final class LocalOrderSaga {
    /** Saga data. */
    public record Order(String id, long amount) {
    }

    private LocalOrderSaga() {
    }

    public static String ordersTable(String prefix) {
        return prefix + "host_orders";
    }

    public static String createTableSql(String prefix) {
        return "CREATE TABLE IF NOT EXISTS " + ordersTable(prefix)
                + " (id VARCHAR(64) PRIMARY KEY, saga_key VARCHAR(200) NOT NULL)";
    }

    /**
     * @param afterWork runs inside the local action after its insert, before the transaction commits
     *     (a test uses it to fail or to crash at that point)
     */
    public static SagaDefinition<Order> definition(String prefix, Consumer<Order> afterWork) {
        String table = ordersTable(prefix);
        return Saga.define("local-order", Order.class)
                .step("record-order").local().action((order, context) -> {
                    Connection connection = context.connection();
                    try (PreparedStatement insert = connection.prepareStatement(
                            "INSERT INTO " + table + " (id, saga_key) VALUES (?, ?)")) {
                        insert.setString(1, order.id());
                        insert.setString(2, context.idempotencyKey());
                        insert.executeUpdate();
                    }
                    afterWork.accept(order);
                    return order;
                }).compensation((order, context) -> {
                    try (PreparedStatement delete = context.connection().prepareStatement(
                            "DELETE FROM " + table + " WHERE id = ?")) {
                        delete.setString(1, order.id());
                        delete.executeUpdate();
                    }
                    return order;
                })
                .step("charge").action((order, context) -> {
                    if (order.amount() > 1_000) {
                        throw new BusinessRejection("credit limit exceeded");
                    }
                    return order;
                })
                .build();
    }

    /** How many order rows with this id the host's table holds. */
    public static int rows(DataSource dataSource, String prefix, String orderId) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM " + ordersTable(prefix) + " WHERE id = ?")) {
            ps.setString(1, orderId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }
}
