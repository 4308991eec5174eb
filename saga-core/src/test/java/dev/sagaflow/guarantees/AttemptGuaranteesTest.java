package dev.sagaflow.guarantees;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sagaflow.RetryPolicy;
import dev.sagaflow.Saga;
import dev.sagaflow.SagaDefinition;
import dev.sagaflow.SagaEventType;
import dev.sagaflow.SagaExecution;
import dev.sagaflow.SagaOrchestrator;
import dev.sagaflow.SagaOutcome;
import dev.sagaflow.SagaReply;
import dev.sagaflow.SagaStatus;
import dev.sagaflow.StepStatus;
import dev.sagaflow.fixtures.Ledger;
import dev.sagaflow.fixtures.TestSagas;
import dev.sagaflow.fixtures.Trail;
import dev.sagaflow.store.HistoryEntry;
import dev.sagaflow.store.SagaInstance;
import dev.sagaflow.store.memory.InMemorySagaStore;
import dev.sagaflow.testing.ManualTimer;
import dev.sagaflow.testing.RecordingListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Attempts, their tokens, timeouts and data (issue 10, findings 4, 10, 11, 16 and 20). */
class AttemptGuaranteesTest {
    private final Ledger ledger = new Ledger();
    private final ManualTimer timer = new ManualTimer();
    private final InMemorySagaStore store = InMemorySagaStore.builder().clock(timer.clock()).build();
    private final RecordingListener events = new RecordingListener();

    private SagaOrchestrator.Builder node(java.util.concurrent.Executor executor) {
        return SagaOrchestrator.builder(store).timer(timer).executor(executor).listener(events).nodeId("n");
    }

    /** Finding 4: a timeout that waits in a busy executor behind the attempt's result acts on nothing. */
    @Test
    void a_timeout_queued_behind_a_result_does_not_fail_the_next_attempt() {
        QueueingExecutor executor = new QueueingExecutor();
        CompletableFuture<Trail> answer = new CompletableFuture<>();
        SagaDefinition<Trail> saga = Saga.define("queued-timeout", Trail.class)
                .step("s1").asyncAction((trail, context) -> {
                    ledger.record(context);
                    return answer;
                }).compensation(TestSagas.compensation(ledger)).timeout(Duration.ofSeconds(5))
                .retry(RetryPolicy.fixed(Duration.ofSeconds(1), 3))
                .step("s2").action(TestSagas.action(ledger)).compensation(TestSagas.compensation(ledger))
                .build();
        try (SagaOrchestrator node = node(executor).register(saga).build()) {
            SagaExecution<Trail> execution = node.start(saga, Trail.of("t"));
            executor.runAll();
            // Given s1's timeout has fired and waits in the executor's queue,
            timer.advance(Duration.ofSeconds(5));
            assertThat(executor.queued()).isEqualTo(1);

            // when s1's answer arrives first, and then the queued timeout runs,
            answer.complete(Trail.of("t").mark("do s1"));
            executor.runAll();

            // then the timeout did nothing: no retry, nothing possibly done, the saga completes.
            assertThat(execution.outcome()).isCompletedWithValueMatching(o -> o.status() == SagaStatus.COMPLETED);
            assertThat(events.types(execution.sagaId())).doesNotContain(SagaEventType.STEP_RETRY_SCHEDULED,
                    SagaEventType.STEP_FAILED);
            assertThat(store.find(execution.sagaId()).orElseThrow().step("s1").mayHaveTakenEffect()).isFalse();
            assertThat(ledger.calls()).containsExactly("do s1", "do s2");
        }
    }

    /** Mutable saga data, as a POJO. */
    public static class Cart {
        public List<String> items = new ArrayList<>();
    }

    /** Finding 10: what a failed attempt changed in place on mutable data is neither stored nor seen again. */
    @Test
    void a_failed_attempt_leaves_the_stored_data_as_it_was() {
        List<List<String>> seenByAttempts = new ArrayList<>();
        SagaDefinition<Cart> saga = Saga.define("pojo", Cart.class)
                .step("s1").action((cart, context) -> {
                    seenByAttempts.add(List.copyOf(cart.items));
                    if (context.attempt() == 1) {
                        cart.items.add("half-done");
                        throw new IllegalStateException("participant down");
                    }
                    cart.items.add("done");
                    return cart;
                }).retry(RetryPolicy.fixed(Duration.ofSeconds(1), 2))
                .build();
        try (SagaOrchestrator node = node(Runnable::run).register(saga).build()) {
            SagaExecution<Cart> execution = node.start(saga, new Cart());
            assertThat(store.find(execution.sagaId()).orElseThrow().data().json()).doesNotContain("half-done");

            timer.advance(Duration.ofSeconds(1));

            assertThat(seenByAttempts).containsExactly(List.of(), List.of());
            assertThat(execution.outcome().join().data().items).containsExactly("done");
        }
    }

    /**
     * Finding 11: a timed-out synchronous action is interrupted, and its compensation starts only after it has
     * returned, so nothing it does after the timeout escapes the compensation.
     */
    @Test
    void a_timed_out_action_is_interrupted_and_compensated_only_once_it_has_returned() throws Exception {
        List<String> order = new CopyOnWriteArrayList<>();
        AtomicBoolean interrupted = new AtomicBoolean();
        SagaDefinition<Trail> saga = Saga.define("slow", Trail.class)
                .step("s1").action((trail, context) -> {
                    order.add("action started");
                    try {
                        Thread.sleep(10_000);
                    } catch (InterruptedException e) {
                        interrupted.set(true);
                        // A participant that finishes its work all the same, after the timeout.
                        Thread.sleep(300);
                        order.add("action committed after the timeout");
                        throw e;
                    }
                    return trail;
                }).compensation((trail, context) -> {
                    order.add("compensation started");
                    return trail;
                }).timeout(Duration.ofMillis(200))
                .build();
        try (SagaOrchestrator node = SagaOrchestrator.builder(InMemorySagaStore.create()).register(saga)
                .timeoutGrace(Duration.ofSeconds(5)).build()) {
            SagaOutcome<Trail> outcome = node.start(saga, Trail.of("t")).await(Duration.ofSeconds(10));

            assertThat(outcome.status()).isEqualTo(SagaStatus.COMPENSATED);
            assertThat(interrupted).isTrue();
            assertThat(order).containsExactly("action started", "action committed after the timeout",
                    "compensation started");
        }
    }

    /** Finding 11: close() waits for an attempt that timed out but still runs, rather than leaving it behind. */
    @Test
    void close_waits_for_a_timed_out_attempt_that_still_runs() throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        AtomicBoolean finished = new AtomicBoolean();
        SagaDefinition<Trail> saga = Saga.define("slow-close", Trail.class)
                .step("s1").action((trail, context) -> {
                    running.countDown();
                    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(800);
                    while (System.nanoTime() < end) {
                        Thread.onSpinWait(); // ignores interrupts
                    }
                    finished.set(true);
                    return trail;
                }).compensation((trail, context) -> trail).timeout(Duration.ofMillis(100))
                .build();
        SagaOrchestrator node = SagaOrchestrator.builder(InMemorySagaStore.create()).register(saga)
                .timeoutGrace(Duration.ofSeconds(5)).shutdownTimeout(Duration.ofSeconds(5)).build();
        node.start(saga, Trail.of("t"));
        assertThat(running.await(5, TimeUnit.SECONDS)).isTrue();
        Thread.sleep(300);

        node.close();

        assertThat(finished).as("close() returned only after the attempt did").isTrue();
    }

    /**
     * Finding 16: a reply that arrives while the action runs spends the attempt and its timeout when it is applied,
     * so the timeout cannot fire against the next step.
     */
    @Test
    void a_reply_applied_after_the_action_returned_leaves_no_timeout_to_fire_at_the_next_step() {
        QueueingExecutor executor = new QueueingExecutor();
        CompletableFuture<Trail> sent = new CompletableFuture<>();
        SagaDefinition<Trail> saga = Saga.define("reply-while-running", Trail.class)
                .step("ask").asyncAction((trail, context) -> sent).compensation(TestSagas.compensation(ledger))
                .awaitReply().timeout(Duration.ofSeconds(5))
                .pivot("commit").action(TestSagas.action(ledger))
                .build();
        try (SagaOrchestrator node = node(executor).register(saga).build()) {
            SagaExecution<Trail> execution = node.start(saga, Trail.of("t"));
            executor.runAll();
            node.reply(SagaReply.success(execution.sagaId(), "ask", null));
            sent.complete(Trail.of("t").mark("sent"));
            // The pivot's attempt is queued, not started, when the old timeout's time comes.
            timer.advance(Duration.ofSeconds(5));
            executor.runAll();

            assertThat(execution.outcome()).isCompletedWithValueMatching(o -> o.status() == SagaStatus.COMPLETED);
            assertThat(events.types(execution.sagaId())).doesNotContain(SagaEventType.STEP_FAILED);
            assertThat(ledger.calls()).containsExactly("do commit");
        }
    }

    /** Finding 20: the saga's deadline aborts a step that waits without a timeout of its own. */
    @Test
    void the_saga_deadline_aborts_a_step_waiting_for_a_reply_and_records_it_as_an_abort() {
        SagaDefinition<Trail> saga = Saga.define("deadline", Trail.class).timeout(Duration.ofSeconds(10))
                .step("wait").action(TestSagas.action(ledger)).compensation(TestSagas.compensation(ledger)).awaitReply()
                .build();
        try (SagaOrchestrator node = node(Runnable::run).register(saga).build()) {
            SagaExecution<Trail> execution = node.start(saga, Trail.of("t"));

            timer.advance(Duration.ofSeconds(10));

            assertThat(execution.outcome()).isCompletedWithValueMatching(o -> o.status() == SagaStatus.COMPENSATED);
            List<HistoryEntry> history = store.history(execution.sagaId());
            assertThat(history).extracting(HistoryEntry::type).contains(SagaEventType.SAGA_ABORTED);
            assertThat(history).extracting(HistoryEntry::detail).noneMatch(d -> d != null && d.contains("timed out"));
            SagaInstance stored = store.find(execution.sagaId()).orElseThrow();
            assertThat(stored.step("wait").status()).isEqualTo(StepStatus.COMPENSATED);
            assertThat(stored.error()).contains("aborted: saga deadline");
        }
    }
}
