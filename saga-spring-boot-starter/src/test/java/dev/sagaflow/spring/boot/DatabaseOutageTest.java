package dev.sagaflow.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sagaflow.SagaDefinition;
import dev.sagaflow.SagaExecution;
import dev.sagaflow.SagaOrchestrator;
import dev.sagaflow.SagaStatus;
import dev.sagaflow.SagaStoreException;
import dev.sagaflow.jdbc.JdbcSagaStore;
import dev.sagaflow.spring.boot.support.GateDataSource;
import dev.sagaflow.spring.boot.support.Health;
import dev.sagaflow.spring.boot.support.Orders;
import dev.sagaflow.spring.boot.support.Orders.Order;
import dev.sagaflow.testing.SagaTestKit;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class DatabaseOutageTest {
    private final DataSource database = Orders.h2();
    private final GateDataSource gate = new GateDataSource(database);
    private final SagaDefinition<Order> createOrder = Orders.createOrder();

    @Test
    void the_application_starts_while_the_database_is_down_and_sagaflow_resumes_when_it_is_back() {
        // A previous process of node "node-a" started a saga and died before running its first step.
        JdbcSagaStore store = JdbcSagaStore.builder(database).createSchemaIfMissing(true).build();
        SagaOrchestrator previous = SagaOrchestrator.builder(store).register(createOrder).nodeId("node-a")
                .executor(task -> { }).build();
        SagaExecution<Order> left = previous.start(createOrder, new Order("o-1", 10));
        SagaTestKit.crash(previous);
        gate.close();

        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(SagaflowAutoConfiguration.class))
                .withBean(DataSource.class, () -> gate)
                .withBean("createOrder", SagaDefinition.class, () -> createOrder)
                .withPropertyValues("sagaflow.node-id=node-a", "sagaflow.poll-interval=100ms")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    SagaOrchestrator orchestrator = context.getBean(SagaOrchestrator.class);
                    assertThat(Health.of(context).getKey()).isEqualTo("DOWN");
                    assertThat(Health.of(context).getValue()).containsEntry("storeReachable", false);
                    assertThatThrownBy(() -> orchestrator.start(createOrder, new Order("o-2", 20)))
                            .isInstanceOf(SagaStoreException.class);

                    gate.open();

                    awaitStatus(store, left.sagaId(), SagaStatus.COMPLETED);
                    assertThat(orchestrator.run(createOrder, new Order("o-3", 30)).status())
                            .isEqualTo(SagaStatus.COMPLETED);
                    assertThat(Health.of(context).getKey()).isEqualTo("UP");
                });
    }

    private static void awaitStatus(JdbcSagaStore store, String sagaId, SagaStatus status) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (store.find(sagaId).orElseThrow().status() != status) {
            assertThat(System.nanoTime()).as("saga %s %s within 10 s", sagaId, status).isLessThan(deadline);
            Thread.sleep(Duration.ofMillis(50).toMillis());
        }
    }
}
