package dev.sagaflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sagaflow.store.memory.InMemorySagaStore;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The README's quick start, kept compiling and passing: change both together. */
class QuickStartTest {
    // --- README quick start begins
    record Order(String id, long amount, String status) {
        Order withStatus(String newStatus) {
            return new Order(id, amount, newStatus);
        }
    }

    static class Orders {
        Order createPending(Order order, StepContext context) {
            return order.withStatus("PENDING");
        }

        Order reject(Order order, StepContext context) {
            return order.withStatus("REJECTED");
        }

        Order approve(Order order, StepContext context) {
            return order.withStatus("APPROVED");
        }
    }

    static class Customers {
        Order reserveCredit(Order order, StepContext context) {
            if (order.amount() > 1_000) {
                throw new BusinessRejection("credit limit exceeded");
            }
            return order; // reserve, keyed by context.idempotencyKey(), so a re-run is harmless
        }

        Order releaseCredit(Order order, StepContext context) {
            return order;
        }
    }

    static SagaOutcome<Order> placeOrder(Order order) {
        Orders orders = new Orders();
        Customers customers = new Customers();
        SagaDefinition<Order> createOrder = Saga.define("create-order", Order.class)
                .step("create-pending-order").action(orders::createPending).compensation(orders::reject)
                .step("reserve-credit").action(customers::reserveCredit).compensation(customers::releaseCredit)
                    .retry(RetryPolicy.exponential(Duration.ofMillis(50), 5)).timeout(Duration.ofSeconds(2))
                .pivot("approve-order").action(orders::approve)
                .build();
        try (SagaOrchestrator orchestrator = SagaOrchestrator.builder(InMemorySagaStore.create())
                .register(createOrder).build()) {
            return orchestrator.run(createOrder, order);
        }
    }
    // --- README quick start ends

    @Test
    void the_quick_start_approves_a_small_order_and_rejects_a_large_one() {
        SagaOutcome<Order> approved = placeOrder(new Order("o-1", 100, "NEW"));
        SagaOutcome<Order> rejected = placeOrder(new Order("o-2", 5_000, "NEW"));

        assertThat(approved.status()).isEqualTo(SagaStatus.COMPLETED);
        assertThat(approved.data().status()).isEqualTo("APPROVED");
        assertThat(rejected.status()).isEqualTo(SagaStatus.COMPENSATED);
        assertThat(rejected.data().status()).isEqualTo("REJECTED");
        assertThat(rejected.error()).contains("credit limit exceeded");
    }
}
