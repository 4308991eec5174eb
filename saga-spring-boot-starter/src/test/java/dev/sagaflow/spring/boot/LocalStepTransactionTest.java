package dev.sagaflow.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sagaflow.Saga;
import dev.sagaflow.SagaDefinition;
import dev.sagaflow.SagaOrchestrator;
import dev.sagaflow.SagaOutcome;
import dev.sagaflow.SagaStatus;
import dev.sagaflow.StepStatus;
import dev.sagaflow.spring.boot.support.GateDataSource;
import dev.sagaflow.spring.boot.support.Orders;
import dev.sagaflow.spring.boot.support.Orders.Order;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A local step's JdbcTemplate work runs in the transaction that records the step's checkpoint. The orders table
 * has no key, so work that escaped the transaction and ran again would show as a second row.
 */
class LocalStepTransactionTest {
    private final GateDataSource dataSource = new GateDataSource(Orders.h2());
    private final JdbcTemplate jdbc = new JdbcTemplate(dataSource);
    private final AtomicInteger attempts = new AtomicInteger();
    private final SagaDefinition<Order> placeOrder = Saga.define("place-order", Order.class)
            .step("insert-order").local().action((order, context) -> {
                attempts.incrementAndGet();
                jdbc.update("INSERT INTO orders (id, amount) VALUES (?, ?)", order.id(), order.amount());
                if (order.id().startsWith("kill-") && attempts.get() == 1) {
                    // The process "dies" between the work and the checkpoint: the commit that follows is lost.
                    dataSource.failNextCommits(1);
                }
                if (order.amount() < 0) {
                    throw new IllegalArgumentException("negative amount");
                }
                return order;
            })
            .step("confirm").action((order, context) -> order)
            .build();
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(SagaflowAutoConfiguration.class))
            .withBean(DataSource.class, () -> dataSource)
            .withBean("placeOrder", SagaDefinition.class, () -> placeOrder)
            .withPropertyValues("sagaflow.jdbc.create-schema=true");

    LocalStepTransactionTest() {
        jdbc.execute("CREATE TABLE orders (id VARCHAR(36), amount BIGINT)");
    }

    @Test
    void the_work_and_the_checkpoint_commit_together() {
        runner.run(context -> {
            SagaOutcome<Order> outcome = context.getBean(SagaOrchestrator.class).run(placeOrder, new Order("o-1", 10));

            assertThat(outcome.status()).isEqualTo(SagaStatus.COMPLETED);
            assertThat(rows("o-1")).isEqualTo(1);
        });
    }

    @Test
    void when_the_commit_is_lost_between_the_work_and_the_checkpoint_both_roll_back_and_the_step_runs_once_more() {
        runner.run(context -> {
            SagaOutcome<Order> outcome = context.getBean(SagaOrchestrator.class)
                    .run(placeOrder, new Order("kill-o-2", 10));

            assertThat(outcome.status()).isEqualTo(SagaStatus.COMPLETED);
            assertThat(attempts).hasValue(2);
            // The first attempt's insert rolled back with its checkpoint; only the second one's remains.
            assertThat(rows("kill-o-2")).isEqualTo(1);
        });
    }

    @Test
    void when_the_work_fails_after_its_insert_the_insert_rolls_back_with_the_step() {
        runner.run(context -> {
            SagaOrchestrator orchestrator = context.getBean(SagaOrchestrator.class);
            SagaOutcome<Order> outcome = orchestrator.run(placeOrder, new Order("o-3", -1));

            assertThat(outcome.status()).isEqualTo(SagaStatus.COMPENSATED);
            assertThat(orchestrator.find(outcome.sagaId()).orElseThrow().steps().get(0).status())
                    .isEqualTo(StepStatus.FAILED);
            assertThat(rows("o-3")).isZero();
        });
    }

    @Test
    void outside_a_local_step_jdbc_template_is_not_bound_to_any_transaction() {
        runner.run(context -> {
            context.getBean(SagaOrchestrator.class).run(placeOrder, new Order("o-4", 10));

            jdbc.update("INSERT INTO orders (id, amount) VALUES (?, ?)", "o-5", 5);
            assertThat(org.springframework.transaction.support.TransactionSynchronizationManager
                    .getResourceMap()).isEmpty();
            assertThat(rows("o-5")).isEqualTo(1);
        });
    }

    /**
     * Work that opens a Spring transaction of its own ({@code @Transactional}, a {@code TransactionTemplate}) joins
     * the step's: with REQUIRED it runs on the step's connection and rolls back with it; REQUIRES_NEW suspends it
     * and commits on a connection of its own, as it would inside any {@code @Transactional} method.
     */
    @Test
    void a_transaction_template_inside_a_local_step_joins_the_steps_transaction_unless_it_requires_a_new_one() {
        DataSourceTransactionManager transactions = new DataSourceTransactionManager(dataSource);
        TransactionTemplate required = new TransactionTemplate(transactions);
        TransactionTemplate requiresNew = new TransactionTemplate(transactions);
        requiresNew.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
        SagaDefinition<Order> audited = Saga.define("audited-order", Order.class)
                .step("insert-order").local().action((order, context) -> {
                    required.executeWithoutResult(status -> jdbc.update(
                            "INSERT INTO orders (id, amount) VALUES (?, ?)", order.id(), order.amount()));
                    requiresNew.executeWithoutResult(status -> jdbc.update(
                            "INSERT INTO orders (id, amount) VALUES (?, ?)", "audit-" + order.id(), order.amount()));
                    if (order.amount() < 0) {
                        throw new IllegalArgumentException("negative amount");
                    }
                    return order;
                })
                .build();
        runner.withBean("audited", SagaDefinition.class, () -> audited).run(context -> {
            SagaOrchestrator orchestrator = context.getBean(SagaOrchestrator.class);

            assertThat(orchestrator.run(audited, new Order("o-6", 10)).status()).isEqualTo(SagaStatus.COMPLETED);
            assertThat(orchestrator.run(audited, new Order("o-7", -1)).status()).isEqualTo(SagaStatus.COMPENSATED);

            assertThat(rows("o-6")).isEqualTo(1);
            assertThat(rows("o-7")).as("joined the step's transaction, rolled back with it").isZero();
            assertThat(rows("audit-o-7")).as("a new transaction of its own, committed").isEqualTo(1);
        });
    }

    private int rows(String id) {
        return jdbc.queryForObject("SELECT count(*) FROM orders WHERE id = ?", Integer.class, id);
    }
}
