package dev.sagaflow.spring.boot.support;

import dev.sagaflow.Saga;
import dev.sagaflow.SagaDefinition;
import java.util.UUID;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;

/** The saga data and definitions the starter's tests run. */
public final class Orders {
    private Orders() {
    }

    /** Saga data: an order. */
    public record Order(String id, long amount) {
    }

    /** Two plain steps. */
    public static SagaDefinition<Order> createOrder() {
        return Saga.define("create-order", Order.class)
                .step("reserve-credit").action((order, context) -> order).compensation((order, context) -> order)
                .pivot("approve-order").action((order, context) -> order)
                .build();
    }

    /** A fresh in-memory H2 database of its own. */
    public static DataSource h2() {
        JdbcDataSource dataSource = new JdbcDataSource();
        dataSource.setURL("jdbc:h2:mem:starter-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        dataSource.setUser("sa");
        return dataSource;
    }
}
