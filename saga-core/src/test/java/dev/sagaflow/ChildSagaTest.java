package dev.sagaflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sagaflow.fixtures.Ledger;
import dev.sagaflow.fixtures.TestSagas;
import dev.sagaflow.fixtures.Trail;
import dev.sagaflow.store.HistoryEntry;
import dev.sagaflow.store.SagaInstance;
import dev.sagaflow.store.memory.InMemorySagaStore;
import dev.sagaflow.testing.SagaTestKit;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Child sagas: a step that starts another saga, waits for its end, and compensates it when the parent rolls back. */
@org.junit.jupiter.api.Timeout(30)
class ChildSagaTest {
    private final Ledger ledger = new Ledger();
    private final SagaTestKit kit = SagaTestKit.create();

    /** The child: "c1", "c2", each compensatable; "c2" runs {@code c2}. */
    private SagaDefinition<Trail> child(StepAction<Trail> c2) {
        return Saga.define("hotel", Trail.class)
                .step("c1").action(TestSagas.action(ledger)).compensation(TestSagas.compensation(ledger))
                .step("c2").action(c2).compensation(TestSagas.compensation(ledger))
                .build();
    }

    /** The parent: "p1", then "book" (the child), then "p3" running {@code p3}. */
    private SagaDefinition<Trail> parent(SagaDefinition<Trail> child, StepAction<Trail> p3) {
        return Saga.define("trip", Trail.class)
                .step("p1").action(TestSagas.action(ledger)).compensation(TestSagas.compensation(ledger))
                .step("book").child(child, (trip, context) -> Trail.of("hotel for " + trip.name()),
                        (trip, hotel) -> trip.mark("booked " + hotel.marks()))
                .step("p3").action(p3).compensation(TestSagas.compensation(ledger))
                .build();
    }

    private static StepAction<Trail> rejects(Ledger ledger) {
        return (trail, context) -> {
            ledger.record(context);
            throw new BusinessRejection("no");
        };
    }

    private List<SagaEventType> events(String sagaId) {
        return kit.store().history(sagaId).stream().map(HistoryEntry::type).toList();
    }

    @Test
    void a_completed_child_merges_its_data_into_the_parent_and_names_its_parent() {
        SagaDefinition<Trail> child = child(TestSagas.action(ledger));
        SagaDefinition<Trail> parent = parent(child, TestSagas.action(ledger));
        try (SagaOrchestrator node = kit.orchestrator().register(parent, child).build()) {
            SagaExecution<Trail> execution = node.start(parent, Trail.of("rome"));

            SagaOutcome<Trail> outcome = execution.outcome().join();
            assertThat(outcome.status()).isEqualTo(SagaStatus.COMPLETED);
            assertThat(outcome.data().marks()).containsExactly("do p1", "booked [do c1, do c2]", "do p3");
            List<SagaInfo> children = node.children(execution.sagaId());
            assertThat(children).hasSize(1);
            SagaInfo hotel = children.get(0);
            assertThat(hotel.status()).isEqualTo(SagaStatus.COMPLETED);
            assertThat(hotel.parentId()).isEqualTo(execution.sagaId());
            assertThat(hotel.parentStep()).isEqualTo("book");
            assertThat(hotel.idempotencyKey()).isEqualTo("parent:" + execution.sagaId() + ":book");
            assertThat(hotel.data(Trail.class).name()).isEqualTo("hotel for rome");
            assertThat(node.find(execution.sagaId()).orElseThrow().parentId()).isNull();
        }
    }

    @Test
    void a_compensated_child_fails_the_parents_step_which_is_not_compensated_again() {
        SagaDefinition<Trail> child = child(rejects(ledger));
        SagaDefinition<Trail> parent = parent(child, TestSagas.action(ledger));
        try (SagaOrchestrator node = kit.orchestrator().register(parent, child).build()) {
            SagaExecution<Trail> execution = node.start(parent, Trail.of("rome"));

            SagaOutcome<Trail> outcome = execution.outcome().join();
            assertThat(outcome.status()).isEqualTo(SagaStatus.COMPENSATED);
            assertThat(outcome.error()).contains("child saga 'hotel'").contains("COMPENSATED");
            assertThat(ledger.calls()).containsExactly("do p1", "do c1", "do c2", "undo c1", "undo p1");
            SagaInstance stored = kit.store().find(execution.sagaId()).orElseThrow();
            assertThat(stored.step("book").status()).isEqualTo(StepStatus.FAILED);
            assertThat(events(node.children(execution.sagaId()).get(0).sagaId()))
                    .doesNotContain(SagaEventType.SAGA_REOPENED);
        }
    }

    @Test
    void rolling_the_parent_back_reopens_its_completed_child_and_runs_the_childs_compensations_newest_first() {
        SagaDefinition<Trail> child = child(TestSagas.action(ledger));
        SagaDefinition<Trail> parent = parent(child, rejects(ledger));
        try (SagaOrchestrator node = kit.orchestrator().register(parent, child).build()) {
            SagaExecution<Trail> execution = node.start(parent, Trail.of("rome"));

            assertThat(execution.outcome().join().status()).isEqualTo(SagaStatus.COMPENSATED);
            assertThat(ledger.calls()).containsExactly("do p1", "do c1", "do c2", "do p3", "undo c2", "undo c1",
                    "undo p1");
            SagaInfo hotel = node.children(execution.sagaId()).get(0);
            assertThat(hotel.status()).isEqualTo(SagaStatus.COMPENSATED);
            assertThat(events(hotel.sagaId())).containsSubsequence(SagaEventType.SAGA_COMPLETED,
                    SagaEventType.SAGA_REOPENED, SagaEventType.COMPENSATION_SUCCEEDED, SagaEventType.SAGA_COMPENSATED);
            assertThat(kit.store().find(execution.sagaId()).orElseThrow().step("book").status())
                    .isEqualTo(StepStatus.COMPENSATED);
        }
    }

    @Test
    void aborting_the_parent_while_its_child_runs_aborts_the_child_and_waits_for_it_to_be_compensated() {
        AtomicInteger c2Calls = new AtomicInteger();
        SagaDefinition<Trail> child = child((trail, context) -> {
            c2Calls.incrementAndGet();
            ledger.record(context);
            throw new IllegalStateException("not yet");
        });
        SagaDefinition<Trail> withRetries = Saga.define("hotel", Trail.class)
                .step("c1").action(TestSagas.action(ledger)).compensation(TestSagas.compensation(ledger))
                .step("c2").action(child.steps().get(1).action()).compensation(TestSagas.compensation(ledger))
                .retry(RetryPolicy.fixed(Duration.ofMinutes(1), 100))
                .build();
        SagaDefinition<Trail> parent = parent(withRetries, TestSagas.action(ledger));
        try (SagaOrchestrator node = kit.orchestrator().register(parent, withRetries).build()) {
            SagaExecution<Trail> execution = node.start(parent, Trail.of("rome"));
            SagaInfo hotel = node.children(execution.sagaId()).get(0);
            assertThat(hotel.status()).isEqualTo(SagaStatus.RUNNING);
            assertThat(kit.store().find(execution.sagaId()).orElseThrow().step("book").status())
                    .isEqualTo(StepStatus.AWAITING_REPLY);

            node.abort(execution.sagaId(), "the traveller cancelled");

            assertThat(execution.outcome().join().status()).isEqualTo(SagaStatus.COMPENSATED);
            assertThat(node.find(hotel.sagaId()).orElseThrow().status()).isEqualTo(SagaStatus.COMPENSATED);
            // c2 may have taken effect when it was given up (an attempt was due); c1 surely did.
            assertThat(ledger.calls()).endsWith("undo c1", "undo p1");
            assertThat(c2Calls).hasValue(1);
        }
    }

    @Test
    void a_step_timeout_bounds_the_wait_for_the_child_which_is_then_compensated() {
        SagaDefinition<Trail> child = Saga.define("slow", Trail.class)
                .step("c1").action(TestSagas.action(ledger)).compensation(TestSagas.compensation(ledger))
                .step("c2").asyncAction((trail, context) -> new CompletableFuture<>())
                .compensation(TestSagas.compensation(ledger))
                .build();
        SagaDefinition<Trail> parent = Saga.define("impatient", Trail.class)
                .step("p1").action(TestSagas.action(ledger)).compensation(TestSagas.compensation(ledger))
                .step("book").child(child, (trip, context) -> Trail.of("slow"), (trip, done) -> trip)
                .timeout(Duration.ofSeconds(30))
                .build();
        try (SagaOrchestrator node = kit.orchestrator().register(parent, child).build()) {
            SagaExecution<Trail> execution = node.start(parent, Trail.of("rome"));
            kit.timer().advance(Duration.ofSeconds(31));

            assertThat(execution.outcome().join().status()).isEqualTo(SagaStatus.COMPENSATED);
            SagaInfo slow = node.children(execution.sagaId()).get(0);
            assertThat(slow.status()).isEqualTo(SagaStatus.COMPENSATED);
            assertThat(ledger.calls()).containsSubsequence("undo c1", "undo p1");
        }
    }

    @Test
    void a_child_given_up_before_it_started_is_recorded_compensated_so_a_late_start_runs_nothing() throws Exception {
        CountDownLatch inputAsked = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean first = new AtomicBoolean(true);
        SagaDefinition<Trail> child = child(TestSagas.action(ledger));
        SagaDefinition<Trail> parent = Saga.define("late", Trail.class)
                .step("p1").action(TestSagas.action(ledger)).compensation(TestSagas.compensation(ledger))
                .step("book").child(child, (trip, context) -> {
                    if (first.getAndSet(false)) {
                        inputAsked.countDown();
                        release.await(10, TimeUnit.SECONDS);
                    }
                    return Trail.of("late");
                }, (trip, hotel) -> trip)
                .build();
        try (SagaOrchestrator node = SagaOrchestrator.builder(InMemorySagaStore.create()).register(parent, child)
                .build()) {
            SagaExecution<Trail> execution = node.start(parent, Trail.of("rome"));
            assertThat(inputAsked.await(10, TimeUnit.SECONDS)).isTrue();

            node.abort(execution.sagaId(), "changed my mind");
            assertThat(execution.await(Duration.ofSeconds(10)).status()).isEqualTo(SagaStatus.COMPENSATED);
            release.countDown();

            SagaInfo never = node.children(execution.sagaId()).get(0);
            assertThat(never.status()).isEqualTo(SagaStatus.COMPENSATED);
            assertThat(never.error()).contains("never started");
            Thread.sleep(200); // the late start, if it were to run anything, would do it now
            assertThat(ledger.calls()).containsExactly("do p1", "undo p1");
            assertThat(node.find(never.sagaId()).orElseThrow().status()).isEqualTo(SagaStatus.COMPENSATED);
        }
    }

    @Test
    void a_failed_child_fails_the_parent_until_an_operator_has_resolved_the_child() {
        AtomicBoolean undoC1Works = new AtomicBoolean(false);
        SagaDefinition<Trail> child = Saga.define("stuck", Trail.class)
                .step("c1").action(TestSagas.action(ledger)).compensation((trail, context) -> {
                    if (!undoC1Works.get()) {
                        throw new IllegalStateException("the hotel's system is down");
                    }
                    ledger.record(context);
                    return trail;
                }).compensationRetry(RetryPolicy.none())
                .step("c2").action(rejects(ledger))
                .build();
        SagaDefinition<Trail> parent = Saga.define("waits", Trail.class)
                .step("p1").action(TestSagas.action(ledger)).compensation(TestSagas.compensation(ledger))
                .step("book").child(child, (trip, context) -> Trail.of("stuck"), (trip, hotel) -> trip)
                .compensationRetry(RetryPolicy.none())
                .build();
        try (SagaOrchestrator node = kit.orchestrator().register(parent, child).build()) {
            SagaExecution<Trail> execution = node.start(parent, Trail.of("rome"));

            SagaOutcome<Trail> outcome = execution.outcome().join();
            assertThat(outcome.status()).isEqualTo(SagaStatus.FAILED);
            assertThat(outcome.error()).contains("child saga 'stuck'").contains("is FAILED");
            SagaInfo stuck = node.children(execution.sagaId()).get(0);
            assertThat(stuck.status()).isEqualTo(SagaStatus.FAILED);
            assertThat(ledger.calls()).doesNotContain("undo p1");

            undoC1Works.set(true);
            assertThat(node.retry(stuck.sagaId()).outcome().join().status()).isEqualTo(SagaStatus.COMPENSATED);
            assertThat(node.retry(execution.sagaId()).outcome().join().status()).isEqualTo(SagaStatus.COMPENSATED);
            assertThat(ledger.calls()).endsWith("undo c1", "undo p1");
        }
    }

    @Test
    void a_reply_from_outside_cannot_complete_a_child_step() {
        SagaDefinition<Trail> child = Saga.define("waiting", Trail.class)
                .step("c1").action(TestSagas.action(ledger)).awaitReply()
                .build();
        SagaDefinition<Trail> parent = Saga.define("guarded", Trail.class)
                .step("book").child(child, (trip, context) -> Trail.of("w"), (trip, hotel) -> trip)
                .build();
        try (SagaOrchestrator node = kit.orchestrator().register(parent, child).build()) {
            SagaExecution<Trail> execution = node.start(parent, Trail.of("rome"));

            assertThatThrownBy(() -> node.reply(SagaReply.success(execution.sagaId(), "book", Trail.of("fake"))))
                    .isInstanceOf(ReplyRejectedException.class)
                    .hasMessageContaining("waits for its child saga 'waiting'");
            assertThat(kit.store().find(execution.sagaId()).orElseThrow().step("book").status())
                    .isEqualTo(StepStatus.AWAITING_REPLY);
        }
    }

    @Test
    void the_parent_and_its_child_survive_a_crash_and_the_child_is_started_once() {
        AtomicBoolean hang = new AtomicBoolean(true);
        SagaDefinition<Trail> child = Saga.define("resumed", Trail.class)
                .step("c1").action(TestSagas.action(ledger)).compensation(TestSagas.compensation(ledger))
                .step("c2").asyncAction((trail, context) -> {
                    ledger.record(context);
                    return hang.get() ? new CompletableFuture<>() : CompletableFuture.completedFuture(trail.mark("c2"));
                }).compensation(TestSagas.compensation(ledger))
                .build();
        SagaDefinition<Trail> parent = parent(child, TestSagas.action(ledger));
        SagaOrchestrator first = kit.orchestrator().nodeId("n").register(parent, child).build();
        SagaExecution<Trail> execution = first.start(parent, Trail.of("rome"));
        SagaTestKit.crash(first);
        hang.set(false);

        try (SagaOrchestrator second = kit.orchestrator().nodeId("n").register(parent, child).build()) {
            second.recover();
            SagaInstance stored = kit.store().find(execution.sagaId()).orElseThrow();
            assertThat(stored.status()).isEqualTo(SagaStatus.COMPLETED);
            assertThat(second.children(execution.sagaId())).hasSize(1);
            assertThat(kit.store().query(dev.sagaflow.store.SagaQuery.all()).stream()
                    .filter(instance -> instance.sagaName().equals("resumed")).count()).isEqualTo(1);
        }
    }

    @Test
    void children_in_a_parallel_group_run_side_by_side_and_are_all_compensated_when_the_parent_rolls_back() {
        SagaDefinition<Trail> flight = TestSagas.linear("flight", 1, ledger);
        SagaDefinition<Trail> hotel = TestSagas.linear("hotel-booking", 1, ledger);
        BranchMerger<Trail> merger = (trip, branch, result) -> trip.mark(branch);
        SagaDefinition<Trail> trip = Saga.define("trip-children", Trail.class)
                .parallel("book", merger, branches -> branches
                        .step("flight").child(flight, (t, c) -> Trail.of("f"), (t, done) -> t)
                        .step("hotel").child(hotel, (t, c) -> Trail.of("h"), (t, done) -> t))
                .step("pay").action(rejects(ledger)).compensation(TestSagas.compensation(ledger))
                .build();
        try (SagaOrchestrator node = kit.orchestrator().register(trip, flight, hotel).build()) {
            SagaExecution<Trail> execution = node.start(trip, Trail.of("rome"));

            assertThat(execution.outcome().join().status()).isEqualTo(SagaStatus.COMPENSATED);
            assertThat(node.children(execution.sagaId())).extracting(SagaInfo::status)
                    .containsExactly(SagaStatus.COMPENSATED, SagaStatus.COMPENSATED);
            assertThat(ledger.calls().stream().filter(call -> call.startsWith("undo"))).hasSize(2);
        }
    }

    @Test
    void definitions_say_what_is_wrong_with_a_child_step() {
        SagaDefinition<Trail> pivoted = Saga.define("pivoted", Trail.class)
                .pivot("charge").action(TestSagas.action(ledger))
                .build();
        assertThatThrownBy(() -> Saga.define("p", Trail.class)
                .step("book").child(pivoted, (t, c) -> t, (t, r) -> t)
                .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("saga 'p' step 'book'").hasMessageContaining("has a pivot ('charge')");
        SagaDefinition<Trail> afterPivot = Saga.define("ok", Trail.class)
                .pivot("decide").action(TestSagas.action(ledger))
                .step("book").child(pivoted, (t, c) -> t, (t, r) -> t)
                .build();
        assertThat(afterPivot.steps().get(1).hasCompensation()).isFalse();
        assertThatThrownBy(() -> Saga.define("p", Trail.class)
                .step("book").child(pivoted, (t, c) -> t, (t, r) -> t).compensation(TestSagas.compensation(ledger))
                .build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot have a compensation");
        assertThatThrownBy(() -> SagaOrchestrator.builder(InMemorySagaStore.create()).register(afterPivot).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("saga 'ok' step 'book' starts child saga 'pivoted' version 1");
    }
}
