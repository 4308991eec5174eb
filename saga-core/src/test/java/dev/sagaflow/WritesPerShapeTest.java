package dev.sagaflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sagaflow.fixtures.Ledger;
import dev.sagaflow.fixtures.TestSagas;
import dev.sagaflow.fixtures.Trail;
import dev.sagaflow.store.ForwardingSagaStore;
import dev.sagaflow.store.InstanceWrite;
import dev.sagaflow.store.memory.InMemorySagaStore;
import dev.sagaflow.testing.ManualTimer;
import dev.sagaflow.testing.SagaTestKit;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The write accounting of every saga shape, as the README states it: every write the store receives for one saga
 * (its insert, each compare-and-set update; a child's writes counted with its parent's), happy and rolled back.
 */
class WritesPerShapeTest {
    private final Ledger ledger = new Ledger();
    private final AtomicInteger writes = new AtomicInteger();
    private final ManualTimer timer = new ManualTimer();
    private final SagaTestKit kit = SagaTestKit.over(new ForwardingSagaStore(
            InMemorySagaStore.builder().clock(timer.clock()).build()) {
        @Override
        public boolean insert(InstanceWrite write) {
            writes.incrementAndGet();
            return super.insert(write);
        }

        @Override
        public boolean update(long expectedVersion, InstanceWrite write) {
            writes.incrementAndGet();
            return super.update(expectedVersion, write);
        }
    }, timer);

    private int writesOf(SagaDefinition<Trail> saga, SagaStatus expected, SagaDefinition<?>... others) {
        try (SagaOrchestrator node = kit.orchestrator().register(saga).register(others).build()) {
            SagaExecution<Trail> execution = node.start(saga, Trail.of("t"));
            timer.advance(Duration.ofSeconds(10));
            assertThat(execution.outcome().join().status()).isEqualTo(expected);
            return writes.get();
        }
    }

    private static StepAction<Trail> rejects() {
        return (trail, context) -> {
            throw new BusinessRejection("no");
        };
    }

    @Test
    void three_steps_cost_four_writes() {
        assertThat(writesOf(TestSagas.linear("linear", 3, ledger), SagaStatus.COMPLETED)).isEqualTo(4);
    }

    @Test
    void a_step_that_fails_after_two_costs_one_write_per_compensation_more() {
        SagaDefinition<Trail> saga = Saga.define("linear-fails", Trail.class)
                .step("s1").action(TestSagas.action(ledger)).compensation(TestSagas.compensation(ledger))
                .step("s2").action(TestSagas.action(ledger)).compensation(TestSagas.compensation(ledger))
                .step("s3").action(rejects()).compensation(TestSagas.compensation(ledger))
                .build();
        // insert (s1 running), s2, s3, s3 failed + s2 compensating, s2 compensated + s1 compensating, s1 compensated.
        assertThat(writesOf(saga, SagaStatus.COMPENSATED)).isEqualTo(6);
    }

    @Test
    void a_group_of_three_branches_costs_three_writes_as_three_steps_would() {
        SagaDefinition<Trail> saga = Saga.define("group", Trail.class)
                .parallel("g", (trail, branch, result) -> trail, branches -> branches
                        .step("b1").action(TestSagas.action(ledger)).compensation(TestSagas.compensation(ledger))
                        .step("b2").action(TestSagas.action(ledger)).compensation(TestSagas.compensation(ledger))
                        .step("b3").action(TestSagas.action(ledger)).compensation(TestSagas.compensation(ledger)))
                .build();
        assertThat(writesOf(saga, SagaStatus.COMPLETED)).isEqualTo(4);
    }

    @Test
    void a_child_step_costs_one_write_more_than_a_step_plus_the_childs_own() {
        SagaDefinition<Trail> child = TestSagas.linear("child", 2, ledger);
        SagaDefinition<Trail> parent = Saga.define("parent", Trail.class)
                .step("s1").action(TestSagas.action(ledger)).compensation(TestSagas.compensation(ledger))
                .step("c").child(child, (trail, context) -> Trail.of("c"), (trail, done) -> trail)
                .build();
        // Parent: insert, s1 succeeded + c running, c awaiting its child, c succeeded (4). Child: 3.
        assertThat(writesOf(parent, SagaStatus.COMPLETED, child)).isEqualTo(4 + 3);
    }

    @Test
    void rolling_back_a_completed_child_costs_its_reopening_and_one_write_per_compensation() {
        SagaDefinition<Trail> child = TestSagas.linear("child-undone", 2, ledger);
        SagaDefinition<Trail> parent = Saga.define("parent-fails", Trail.class)
                .step("c").child(child, (trail, context) -> Trail.of("c"), (trail, done) -> trail)
                .step("s2").action(rejects()).compensation(TestSagas.compensation(ledger))
                .build();
        // Parent: insert, c awaiting, c succeeded + s2 running, s2 failed + c compensating, c compensated (5).
        // Child: insert, c1, c2 + COMPLETED (3), reopened + c2 compensating, c2 compensated, c1 compensated (3).
        assertThat(writesOf(parent, SagaStatus.COMPENSATED, child)).isEqualTo(5 + 6);
    }

    @Test
    void a_probe_that_finds_a_timed_out_step_applied_costs_no_write_more_than_its_success() {
        SagaDefinition<Trail> saga = Saga.define("probed", Trail.class)
                .step("s1").asyncAction((trail, context) -> new CompletableFuture<>())
                .compensation(TestSagas.compensation(ledger)).timeout(Duration.ofSeconds(5))
                .probe((trail, context) -> ProbeOutcome.APPLIED)
                .step("s2").action(TestSagas.action(ledger))
                .build();
        // insert, s1 probed APPLIED = succeeded + s2 running, s2 succeeded.
        assertThat(writesOf(saga, SagaStatus.COMPLETED)).isEqualTo(3);
    }
}
