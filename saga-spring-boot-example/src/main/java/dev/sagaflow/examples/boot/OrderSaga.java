package dev.sagaflow.examples.boot;

import dev.sagaflow.RetryPolicy;
import dev.sagaflow.Saga;
import dev.sagaflow.SagaDefinition;
import java.time.Duration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The order saga, declared as a {@link SagaDefinition} bean (the starter registers every one):
 *
 * <ol>
 *   <li>{@value #CREATE_ORDER}, local: insert the order {@code PENDING} with {@code JdbcTemplate}, in the
 *       transaction that records the step's checkpoint; compensation (local too): reject the order;</li>
 *   <li>{@value #RESERVE_CREDIT}: the Customer Service holds the customer's credit, or refuses with a
 *       {@link dev.sagaflow.BusinessRejection} (never retried: the saga compensates at once); compensation: release
 *       the credit;</li>
 *   <li>{@value #APPROVE_ORDER}, the pivot, local: approve the order.</li>
 * </ol>
 */
@Configuration(proxyBeanMethods = false)
public class OrderSaga {
    /** The saga's name. */
    public static final String NAME = "place-order";
    /** Step 1, local. */
    public static final String CREATE_ORDER = "create-order";
    /** Step 2. */
    public static final String RESERVE_CREDIT = "reserve-credit";
    /** Step 3, the pivot, local. */
    public static final String APPROVE_ORDER = "approve-order";

    /** The definition, acting on {@code orders} and {@code customers}. */
    @Bean
    public SagaDefinition<OrderSagaData> placeOrder(OrderRepository orders, CustomerService customers) {
        return Saga.define(NAME, OrderSagaData.class)
                .step(CREATE_ORDER).local()
                    .action((order, context) -> {
                        orders.insertPending(order);
                        return order;
                    })
                    .compensation((order, context) -> {
                        orders.reject(order.orderId());
                        return order;
                    })
                .step(RESERVE_CREDIT)
                    .action((order, context) -> {
                        customers.reserveCredit(order.orderId(), order.customerId(), order.amount());
                        return order;
                    })
                    .compensation((order, context) -> {
                        customers.releaseCredit(order.orderId());
                        return order;
                    })
                    .retry(RetryPolicy.exponential(Duration.ofMillis(100), 5))
                .pivot(APPROVE_ORDER).local()
                    .action((order, context) -> {
                        orders.approve(order.orderId());
                        return order;
                    })
                .build();
    }
}
