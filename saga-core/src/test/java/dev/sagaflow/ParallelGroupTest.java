package dev.sagaflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sagaflow.fixtures.Ledger;
import dev.sagaflow.fixtures.TestSagas;
import dev.sagaflow.fixtures.Trail;
import dev.sagaflow.store.ForwardingSagaStore;
import dev.sagaflow.store.InstanceWrite;
import dev.sagaflow.store.SagaInstance;
import dev.sagaflow.store.memory.InMemorySagaStore;
import dev.sagaflow.testing.SagaTestKit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Parallel groups: branches that run at the same time, and how a group fails and is compensated. */
class ParallelGroupTest {
    private final Ledger ledger = new Ledger();

    /** Merges a branch's marks into the trail: each branch adds its own, whatever order they finish in. */
    private static final BranchMerger<Trail> MARKS = (trail, branch, result) -> {
        Trail merged = trail;
        for (String mark : result.marks()) {
            if (!merged.marks().contains(mark)) {
                merged = merged.mark(mark);
            }
        }
        return merged;
    };

    private SagaDefinition<Trail> trip(StepAction<Trail> hotel) {
        return Saga.define("trip", Trail.class)
                .step("validate").action(TestSagas.action(ledger)).compensation(TestSagas.compensation(ledger))
                .parallel("book", MARKS, branches -> branches
                        .step("flight").action(TestSagas.action(ledger)).compensation(TestSagas.compensation(ledger))
                        .step("hotel").action(hotel).compensation(TestSagas.compensation(ledger))
                        .step("car").action(TestSagas.action(ledger)).compensation(TestSagas.compensation(ledger)))
                .pivot("pay").action(TestSagas.action(ledger))
                .build();
    }

    @Test
    void the_branches_of_a_group_run_at_the_same_time_and_the_saga_goes_on_when_all_have_succeeded() throws Exception {
        CountDownLatch allStarted = new CountDownLatch(3);
        StepAction<Trail> meetsTheOthers = (trail, context) -> {
            allStarted.countDown();
            if (!allStarted.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the branches did not run at the same time");
            }
            ledger.record(context);
            return trail.mark("do " + context.stepName());
        };
        SagaDefinition<Trail> saga = Saga.define("concurrent", Trail.class)
                .parallel("book", MARKS, branches -> branches
                        .step("flight").action(meetsTheOthers).compensation(TestSagas.compensation(ledger))
                        .step("hotel").action(meetsTheOthers).compensation(TestSagas.compensation(ledger))
                        .step("car").action(meetsTheOthers).compensation(TestSagas.compensation(ledger)))
                .step("confirm").action(TestSagas.action(ledger))
                .build();
        try (SagaOrchestrator node = SagaOrchestrator.builder(InMemorySagaStore.create()).register(saga).build()) {
            SagaOutcome<Trail> outcome = node.start(saga, Trail.of("t")).await(Duration.ofSeconds(20));

            assertThat(outcome.status()).isEqualTo(SagaStatus.COMPLETED);
            assertThat(outcome.data().marks()).containsExactlyInAnyOrder("do flight", "do hotel", "do car",
                    "do confirm");
            assertThat(outcome.data().marks().get(3)).isEqualTo("do confirm");
        }
    }

    @Test
    void a_group_of_k_branches_costs_k_writes_as_k_steps_would() {
        AtomicInteger writes = new AtomicInteger();
        SagaTestKit kit = SagaTestKit.over(new ForwardingSagaStore(InMemorySagaStore.create()) {
            @Override
            public boolean update(long expectedVersion, InstanceWrite write) {
                writes.incrementAndGet();
                return super.update(expectedVersion, write);
            }
        });
        SagaDefinition<Trail> saga = trip(TestSagas.action(ledger));
        try (SagaOrchestrator node = kit.orchestrator().register(saga).build()) {
            SagaExecution<Trail> execution = node.start(saga, Trail.of("t"));

            assertThat(execution.outcome().join().status()).isEqualTo(SagaStatus.COMPLETED);
            // validate, flight, hotel, car, pay: five steps, five updates after the insert.
            assertThat(writes).hasValue(5);
        }
    }

    @Test
    void at_most_max_parallel_branches_run_at_once() throws Exception {
        AtomicInteger runningNow = new AtomicInteger();
        AtomicInteger mostAtOnce = new AtomicInteger();
        StepAction<Trail> slow = (trail, context) -> {
            mostAtOnce.accumulateAndGet(runningNow.incrementAndGet(), Math::max);
            Thread.sleep(100);
            runningNow.decrementAndGet();
            return trail.mark("do " + context.stepName());
        };
        SagaDefinition<Trail> saga = Saga.define("bounded", Trail.class)
                .parallel("book", MARKS, branches -> branches.maxParallel(2)
                        .step("a").action(slow).step("b").action(slow).step("c").action(slow).step("d").action(slow))
                .build();
        try (SagaOrchestrator node = SagaOrchestrator.builder(InMemorySagaStore.create()).register(saga).build()) {
            SagaOutcome<Trail> outcome = node.start(saga, Trail.of("t")).await(Duration.ofSeconds(20));

            assertThat(outcome.status()).isEqualTo(SagaStatus.COMPLETED);
            assertThat(outcome.data().marks()).hasSize(4);
            assertThat(mostAtOnce).hasValue(2);
        }
    }

    @Test
    void a_branch_that_gives_up_gives_the_group_up_and_exactly_what_took_effect_is_compensated_newest_first() {
        SagaTestKit kit = SagaTestKit.create();
        SagaDefinition<Trail> saga = trip((trail, context) -> {
            ledger.record(context);
            throw new BusinessRejection("no rooms");
        });
        try (SagaOrchestrator node = kit.orchestrator().register(saga).build()) {
            SagaExecution<Trail> execution = node.start(saga, Trail.of("t"));

            assertThat(execution.outcome().join().status()).isEqualTo(SagaStatus.COMPENSATED);
            // flight took effect and is undone; hotel said no; car never started; then validate.
            assertThat(ledger.calls()).containsExactly("do validate", "do flight", "do hotel", "undo flight",
                    "undo validate");
            SagaInstance stored = kit.store().find(execution.sagaId()).orElseThrow();
            assertThat(stored.step("car").status()).isEqualTo(StepStatus.FAILED);
            assertThat(stored.step("car").mayHaveTakenEffect()).isFalse();
            assertThat(stored.step("car").error()).contains("given up: branch 'hotel' of group 'book' failed");
            assertThat(stored.step("pay").status()).isEqualTo(StepStatus.PENDING);
        }
    }

    @Test
    void branches_that_ran_are_compensated_in_the_reverse_order_they_finished() {
        SagaTestKit kit = SagaTestKit.create();
        SagaDefinition<Trail> saga = Saga.define("order-of-undo", Trail.class)
                .parallel("book", MARKS, branches -> branches
                        .step("flight").action(TestSagas.action(ledger)).compensation(TestSagas.compensation(ledger))
                        .retry(RetryPolicy.none())
                        .step("hotel").action((trail, context) -> {
                            // Fails once, succeeds on its retry after the others have finished.
                            ledger.record(context);
                            if (context.attempt() == 1) {
                                throw new IllegalStateException("down");
                            }
                            return trail.mark("do hotel");
                        }).compensation(TestSagas.compensation(ledger)).retry(RetryPolicy.fixed(Duration.ofSeconds(1), 2))
                        .step("car").action(TestSagas.action(ledger)).compensation(TestSagas.compensation(ledger)))
                .pivot("pay").action((trail, context) -> {
                    throw new BusinessRejection("card declined");
                })
                .build();
        try (SagaOrchestrator node = kit.orchestrator().register(saga).build()) {
            SagaExecution<Trail> execution = node.start(saga, Trail.of("t"));
            kit.timer().advance(Duration.ofSeconds(1));

            assertThat(execution.outcome().join().status()).isEqualTo(SagaStatus.COMPENSATED);
            // flight finished first, car second, hotel (after its retry) last.
            assertThat(ledger.calls()).containsSubsequence("undo hotel", "undo car", "undo flight");
        }
    }

    @Test
    void each_branch_waits_for_its_own_reply_and_times_out_on_its_own() {
        SagaTestKit kit = SagaTestKit.create();
        SagaDefinition<Trail> saga = Saga.define("replies", Trail.class)
                .parallel("ask", MARKS, branches -> branches
                        .step("a").action(TestSagas.action(ledger)).compensation(TestSagas.compensation(ledger))
                        .awaitReply(String.class, (trail, reply) -> trail.mark(reply)).timeout(Duration.ofSeconds(30))
                        .step("b").action(TestSagas.action(ledger)).compensation(TestSagas.compensation(ledger))
                        .awaitReply(String.class, (trail, reply) -> trail.mark(reply)).timeout(Duration.ofSeconds(60)))
                .build();
        try (SagaOrchestrator node = kit.orchestrator().register(saga).build()) {
            SagaExecution<Trail> execution = node.start(saga, Trail.of("t"));

            node.reply(SagaReply.success(execution.sagaId(), "b", "b-ok"));
            assertThat(execution.outcome()).isNotDone();
            node.reply(SagaReply.success(execution.sagaId(), "a", "a-ok"));

            assertThat(execution.outcome().join().data().marks()).contains("a-ok", "b-ok");
        }
    }

    @Test
    void a_crash_in_the_middle_of_a_group_resumes_every_branch_that_was_due() {
        SagaTestKit kit = SagaTestKit.create();
        List<String> keysSeen = new ArrayList<>();
        StepAction<Trail> once = TestSagas.action(ledger);
        SagaDefinition<Trail> saga = Saga.define("crash-in-group", Trail.class)
                .parallel("book", MARKS, branches -> branches
                        .step("flight").asyncAction((trail, context) -> {
                            keysSeen.add(context.idempotencyKey() + "#" + context.attempt());
                            return context.attempt() == 1 ? new java.util.concurrent.CompletableFuture<>()
                                    : java.util.concurrent.CompletableFuture.completedFuture(trail.mark("do flight"));
                        }).compensation(TestSagas.compensation(ledger))
                        .step("hotel").action(once).compensation(TestSagas.compensation(ledger)))
                .build();
        SagaOrchestrator first = kit.orchestrator().register(saga).build();
        SagaExecution<Trail> execution = first.start(saga, Trail.of("t"));
        SagaTestKit.crash(first);
        kit.timer().advance(Duration.ofSeconds(31));

        try (SagaOrchestrator second = kit.orchestrator().register(saga).build()) {
            kit.timer().advance(Duration.ofSeconds(1));

            SagaInstance stored = kit.store().find(execution.sagaId()).orElseThrow();
            assertThat(stored.status()).isEqualTo(SagaStatus.COMPLETED);
            assertThat(keysSeen).containsExactly(execution.sagaId() + ":flight#1", execution.sagaId() + ":flight#2");
            assertThat(second.nodeId()).isNotEqualTo(first.nodeId());
        }
    }

    @Test
    void groups_are_declared_with_care() {
        assertThatThrownBy(() -> Saga.define("s", Trail.class).parallel("g", MARKS, branches -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("has no branches");
        assertThatThrownBy(() -> Saga.define("s", Trail.class)
                .parallel("g", MARKS, branches -> branches.step("a").action((t, c) -> t).pivot("p")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("cannot be declared inside a group");
        assertThatThrownBy(() -> Saga.define("s", Trail.class).step("g").action((t, c) -> t)
                .parallel("g", MARKS, branches -> branches.step("a").action((t, c) -> t)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already a step's");
        SagaDefinition<Trail> grouped = Saga.define("s", Trail.class)
                .parallel("g", MARKS, branches -> branches.step("a").action((t, c) -> t).step("b").action((t, c) -> t))
                .build();
        SagaDefinition<Trail> sequential = Saga.define("s", Trail.class)
                .step("a").action((t, c) -> t).step("b").action((t, c) -> t).build();
        assertThat(grouped.fingerprint()).isNotEqualTo(sequential.fingerprint());
        assertThat(grouped.groups()).hasSize(1);
        assertThat(grouped.groupOf(1)).hasValueSatisfying(g -> assertThat(g.name()).isEqualTo("g"));
    }
}
