package dev.sagaflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sagaflow.fixtures.Ledger;
import dev.sagaflow.fixtures.TestSagas;
import dev.sagaflow.fixtures.Trail;
import dev.sagaflow.store.HistoryEntry;
import dev.sagaflow.store.SagaInstance;
import dev.sagaflow.store.SettableClock;
import dev.sagaflow.store.memory.InMemorySagaStore;
import dev.sagaflow.testing.ManualTimer;
import dev.sagaflow.testing.SagaTestKit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Outcome probes when the saga changes hands between the timeout and the decision: whether a step that may have
 * taken effect is probed before it is compensated is read from the stored state, so the node that takes the saga
 * over asks; and an answer that comes back to a node that lost the saga meanwhile is not written.
 */
class ProbeTakeoverTest {
    private static final Duration LEASE = Duration.ofSeconds(30);
    private final Ledger ledger = new Ledger();
    private final ManualTimer timer = new ManualTimer();
    /** The store's clock, on which leases are measured: moving it lets a node's lease run out without its timers. */
    private final SettableClock storeClock = new SettableClock(timer.now());
    private final SagaTestKit kit = SagaTestKit.over(InMemorySagaStore.builder().clock(storeClock)
            .retainFinished(Integer.MAX_VALUE).build(), timer);
    /** Who asked the probe, why, and what it answered, in order. */
    private final List<String> asked = new CopyOnWriteArrayList<>();
    private final List<SagaOrchestrator> nodes = new ArrayList<>();

    @AfterEach
    void closeNodes() {
        nodes.forEach(SagaOrchestrator::close);
    }

    private SagaOrchestrator node(SagaOrchestrator.Builder builder) {
        // Nodes claim only when a test says so; an action that never answers is not waited for at close.
        SagaOrchestrator node = builder.leaseDuration(LEASE).pollInterval(Duration.ofHours(1))
                .shutdownTimeout(Duration.ofMillis(50)).build();
        nodes.add(node);
        return node;
    }

    /** s1; s2, whose action never answers and times out after 5 s, with {@code probe} and no retry; s3. */
    private SagaDefinition<Trail> saga(String name, OutcomeProbe<Trail> probe) {
        return Saga.define(name, Trail.class)
                .step("s1").action(TestSagas.action(ledger)).compensation(TestSagas.compensation(ledger))
                .step("s2").asyncAction((trail, context) -> {
                    ledger.record(context);
                    return new CompletableFuture<>();
                }).compensation(TestSagas.compensation(ledger)).timeout(Duration.ofSeconds(5))
                .retry(RetryPolicy.none()).probe(probe)
                .step("s3").action(TestSagas.action(ledger)).compensation(TestSagas.compensation(ledger))
                .build();
    }

    /** A probe that answers {@code afterTimeout} when s2 times out and {@code beforeUndo} before compensating it. */
    private OutcomeProbe<Trail> answering(ProbeOutcome afterTimeout, ProbeOutcome beforeUndo) {
        return (trail, context) -> {
            ProbeOutcome answer = context.isCompensation() ? beforeUndo : afterTimeout;
            asked.add((context.isCompensation() ? "before compensating: " : "after the timeout: ") + answer);
            return answer;
        };
    }

    /** A first node that crashes right after it writes that s2 failed, before it asks anything more. */
    private SagaOrchestrator crashingAfterS2Failed(SagaDefinition<Trail> saga) {
        AtomicReference<SagaOrchestrator> self = new AtomicReference<>();
        self.set(node(kit.orchestrator().register(saga).listener(event -> {
            if (event.type() == SagaEventType.STEP_FAILED && "s2".equals(event.step())) {
                SagaTestKit.crash(self.get());
            }
        })));
        return self.get();
    }

    private List<String> probeAnswers(String sagaId) {
        return kit.store().history(sagaId).stream().filter(e -> e.type() == SagaEventType.STEP_PROBED)
                .map(HistoryEntry::detail).toList();
    }

    @Test
    void a_node_that_takes_over_after_a_crash_asks_the_probe_before_compensating_the_timed_out_step() {
        SagaDefinition<Trail> saga = saga("takeover-skip", answering(ProbeOutcome.UNKNOWN, ProbeOutcome.NOT_APPLIED));
        SagaOrchestrator first = crashingAfterS2Failed(saga);
        String id = first.start(saga, Trail.of("t")).sagaId();

        // Given s2 timed out, its probe could not tell, and the node crashed once it had written that s2 failed as
        // possibly done, before it asked the probe again to compensate it,
        timer.advance(Duration.ofSeconds(5));
        SagaInstance atCrash = kit.store().find(id).orElseThrow();
        assertThat(atCrash.status()).isEqualTo(SagaStatus.COMPENSATING);
        assertThat(atCrash.step("s2").mayHaveTakenEffect()).isTrue();
        assertThat(asked).containsExactly("after the timeout: UNKNOWN");

        // when another node takes the saga over once the lease has run out,
        storeClock.advance(LEASE.plusSeconds(1));
        node(kit.orchestrator().register(saga));

        // then that node asks the probe before compensating s2, and does not undo what did not take effect.
        assertThat(asked).containsExactly("after the timeout: UNKNOWN", "before compensating: NOT_APPLIED");
        SagaInstance stored = kit.store().find(id).orElseThrow();
        assertThat(stored.status()).isEqualTo(SagaStatus.COMPENSATED);
        assertThat(stored.step("s2").status()).isEqualTo(StepStatus.COMPENSATED);
        assertThat(ledger.calls()).containsExactly("do s1", "do s2", "undo s1");
        assertThat(probeAnswers(id)).containsExactly("UNKNOWN", "NOT_APPLIED");
    }

    @Test
    void a_node_that_takes_over_asks_the_probe_once_and_compensates_what_took_effect() {
        SagaDefinition<Trail> saga = saga("takeover-undo", answering(ProbeOutcome.UNKNOWN, ProbeOutcome.APPLIED));
        SagaOrchestrator first = crashingAfterS2Failed(saga);
        String id = first.start(saga, Trail.of("t")).sagaId();
        timer.advance(Duration.ofSeconds(5));

        storeClock.advance(LEASE.plusSeconds(1));
        node(kit.orchestrator().register(saga));

        assertThat(asked).containsExactly("after the timeout: UNKNOWN", "before compensating: APPLIED");
        assertThat(kit.store().find(id).orElseThrow().status()).isEqualTo(SagaStatus.COMPENSATED);
        assertThat(ledger.calls()).containsExactly("do s1", "do s2", "undo s2", "undo s1");
        // The answer is recorded with the resume, so a node that takes over later does not ask again.
        assertThat(probeAnswers(id)).containsExactly("UNKNOWN", "APPLIED");
    }

    @Test
    void a_timeout_probe_answer_that_comes_back_after_another_node_claimed_the_saga_is_not_written() {
        AtomicReference<SagaOrchestrator> second = new AtomicReference<>();
        AtomicInteger claimed = new AtomicInteger(-1);
        SagaDefinition<Trail> saga = saga("stale-timeout-probe", (trail, context) -> {
            if (asked.isEmpty()) {
                // The first node asks, and stalls past its lease meanwhile: the second node claims the saga.
                asked.add("first node");
                storeClock.advance(LEASE.plusSeconds(1));
                claimed.set(second.get().recover());
                return ProbeOutcome.NOT_APPLIED;
            }
            asked.add("second node");
            return ProbeOutcome.APPLIED;
        });
        SagaOrchestrator first = node(kit.orchestrator().register(saga));
        second.set(node(kit.orchestrator().register(saga)));
        String id = first.start(saga, Trail.of("t")).sagaId();

        timer.advance(Duration.ofSeconds(5));

        assertThat(claimed).hasValue(1);
        assertThat(asked).containsExactly("first node", "second node");
        SagaInstance stored = kit.store().find(id).orElseThrow();
        assertThat(stored.status()).as("the first node's NOT_APPLIED would have rolled the saga back")
                .isEqualTo(SagaStatus.COMPLETED);
        assertThat(probeAnswers(id)).containsExactly("APPLIED");
        assertThat(ledger.calls()).containsExactly("do s1", "do s2", "do s3");
    }

    @Test
    void a_probe_answer_before_compensating_that_comes_back_after_another_node_claimed_the_saga_is_not_written() {
        AtomicReference<SagaOrchestrator> second = new AtomicReference<>();
        AtomicInteger claimed = new AtomicInteger(-1);
        SagaDefinition<Trail> saga = saga("stale-undo-probe", (trail, context) -> {
            if (!context.isCompensation()) {
                asked.add("first node, after the timeout");
                return ProbeOutcome.UNKNOWN;
            }
            if (asked.size() == 1) {
                // The first node asks before compensating, and stalls past its lease: the second node claims.
                asked.add("first node, before compensating");
                storeClock.advance(LEASE.plusSeconds(1));
                claimed.set(second.get().recover());
                return ProbeOutcome.NOT_APPLIED;
            }
            asked.add("second node, before compensating");
            return ProbeOutcome.UNKNOWN;
        });
        SagaOrchestrator first = node(kit.orchestrator().register(saga));
        second.set(node(kit.orchestrator().register(saga)));
        String id = first.start(saga, Trail.of("t")).sagaId();

        timer.advance(Duration.ofSeconds(5));

        assertThat(claimed).hasValue(1);
        assertThat(asked).containsExactly("first node, after the timeout", "first node, before compensating",
                "second node, before compensating");
        SagaInstance stored = kit.store().find(id).orElseThrow();
        assertThat(stored.status()).isEqualTo(SagaStatus.COMPENSATED);
        assertThat(ledger.calls()).as("the first node's NOT_APPLIED would have skipped undo s2")
                .containsExactly("do s1", "do s2", "undo s2", "undo s1");
        assertThat(probeAnswers(id)).containsExactly("UNKNOWN", "UNKNOWN");
    }

    @Test
    void a_node_that_stalled_past_its_lease_while_asking_before_compensating_does_not_compensate() {
        AtomicReference<SagaOrchestrator> second = new AtomicReference<>();
        AtomicInteger claimed = new AtomicInteger(-1);
        SagaDefinition<Trail> saga = saga("stalled-undo-probe", (trail, context) -> {
            if (!context.isCompensation()) {
                asked.add("first node, after the timeout");
                return ProbeOutcome.UNKNOWN;
            }
            if (asked.size() == 1) {
                // The first node asks before compensating and stalls past its lease (its clock and the store's
                // move on, its timers do not run): the second node claims the saga and compensates it.
                asked.add("first node, before compensating");
                timer.stall(LEASE.plusSeconds(1));
                storeClock.advance(LEASE.plusSeconds(1));
                claimed.set(second.get().recover());
                return ProbeOutcome.UNKNOWN;
            }
            asked.add("second node, before compensating");
            return ProbeOutcome.UNKNOWN;
        });
        SagaOrchestrator first = node(kit.orchestrator().register(saga));
        second.set(node(kit.orchestrator().register(saga)));
        String id = first.start(saga, Trail.of("t")).sagaId();

        timer.advance(Duration.ofSeconds(5));
        // (and later the first node's timers run again: it renews its lease and reads the saga back)
        timer.advance(Duration.ofMinutes(2));

        assertThat(claimed).hasValue(1);
        assertThat(asked).containsExactly("first node, after the timeout", "first node, before compensating",
                "second node, before compensating");
        assertThat(kit.store().find(id).orElseThrow().status()).isEqualTo(SagaStatus.COMPENSATED);
        assertThat(ledger.calls()).as("the first node, no longer the owner, compensates nothing")
                .containsExactly("do s1", "do s2", "undo s2", "undo s1");
    }
}
