package dev.sagaflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sagaflow.fixtures.Ledger;
import dev.sagaflow.fixtures.TestSagas;
import dev.sagaflow.fixtures.Trail;
import dev.sagaflow.store.HistoryEntry;
import dev.sagaflow.store.SagaInstance;
import dev.sagaflow.testing.SagaTestKit;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Outcome probes: asking whether a step whose outcome is unknown took effect, before retrying or compensating it. */
class ProbeTest {
    private final Ledger ledger = new Ledger();
    private final SagaTestKit kit = SagaTestKit.create();
    private final AtomicInteger probes = new AtomicInteger();

    /** s1, then s2 whose first attempt never answers (it times out after 5 s), then s3 rejected unless it succeeds. */
    private SagaDefinition<Trail> saga(ProbeOutcome answer, RetryPolicy s2Retry, boolean s3Rejects) {
        return Saga.define("probed-" + answer + "-" + s3Rejects, Trail.class)
                .step("s1").action(TestSagas.action(ledger)).compensation(TestSagas.compensation(ledger))
                .step("s2").asyncAction((trail, context) -> {
                    ledger.record(context);
                    return context.attempt() == 1 ? new CompletableFuture<>()
                            : CompletableFuture.completedFuture(trail.mark("do s2"));
                }).compensation(TestSagas.compensation(ledger)).timeout(Duration.ofSeconds(5)).retry(s2Retry)
                .probe((trail, context) -> {
                    probes.incrementAndGet();
                    return answer;
                })
                .step("s3").action((trail, context) -> {
                    ledger.record(context);
                    if (s3Rejects) {
                        throw new BusinessRejection("no");
                    }
                    return trail.mark("do s3");
                }).compensation(TestSagas.compensation(ledger))
                .build();
    }

    private List<String> probeAnswers(String sagaId) {
        return kit.store().history(sagaId).stream().filter(e -> e.type() == SagaEventType.STEP_PROBED)
                .map(HistoryEntry::detail).toList();
    }

    @Test
    void a_timed_out_step_the_probe_says_took_effect_goes_on_as_a_success() {
        SagaDefinition<Trail> saga = saga(ProbeOutcome.APPLIED, RetryPolicy.fixed(Duration.ofSeconds(1), 3), false);
        try (SagaOrchestrator node = kit.orchestrator().register(saga).build()) {
            SagaExecution<Trail> execution = node.start(saga, Trail.of("t"));
            kit.timer().advance(Duration.ofSeconds(5));

            assertThat(execution.outcome().join().status()).isEqualTo(SagaStatus.COMPLETED);
            assertThat(ledger.calls()).containsExactly("do s1", "do s2", "do s3");
            assertThat(probeAnswers(execution.sagaId())).containsExactly("APPLIED");
        }
    }

    @Test
    void a_timed_out_step_the_probe_says_did_not_take_effect_is_retried_and_never_compensated() {
        SagaDefinition<Trail> saga = saga(ProbeOutcome.NOT_APPLIED, RetryPolicy.fixed(Duration.ofSeconds(1), 3), true);
        try (SagaOrchestrator node = kit.orchestrator().register(saga).build()) {
            SagaExecution<Trail> execution = node.start(saga, Trail.of("t"));
            kit.timer().advance(Duration.ofSeconds(6));

            assertThat(execution.outcome().join().status()).isEqualTo(SagaStatus.COMPENSATED);
            SagaInstance stored = kit.store().find(execution.sagaId()).orElseThrow();
            assertThat(stored.step("s2").attempts()).isEqualTo(2);
            // s2's retry succeeded, so it is compensated now, as any step that took effect.
            assertThat(ledger.calls()).containsExactly("do s1", "do s2", "do s2", "do s3", "undo s2", "undo s1");
        }
    }

    @Test
    void a_timed_out_step_that_gives_up_after_a_not_applied_probe_is_not_compensated() {
        SagaDefinition<Trail> saga = saga(ProbeOutcome.NOT_APPLIED, RetryPolicy.none(), false);
        try (SagaOrchestrator node = kit.orchestrator().register(saga).build()) {
            SagaExecution<Trail> execution = node.start(saga, Trail.of("t"));
            kit.timer().advance(Duration.ofSeconds(5));

            assertThat(execution.outcome().join().status()).isEqualTo(SagaStatus.COMPENSATED);
            assertThat(kit.store().find(execution.sagaId()).orElseThrow().step("s2").mayHaveTakenEffect()).isFalse();
            assertThat(ledger.calls()).containsExactly("do s1", "do s2", "undo s1");
        }
    }

    @Test
    void a_timed_out_step_whose_probe_cannot_tell_counts_as_possibly_done_as_without_a_probe() {
        SagaDefinition<Trail> saga = saga(ProbeOutcome.UNKNOWN, RetryPolicy.none(), false);
        try (SagaOrchestrator node = kit.orchestrator().register(saga).build()) {
            SagaExecution<Trail> execution = node.start(saga, Trail.of("t"));
            kit.timer().advance(Duration.ofSeconds(5));

            assertThat(execution.outcome().join().status()).isEqualTo(SagaStatus.COMPENSATED);
            assertThat(ledger.calls()).containsExactly("do s1", "do s2", "undo s2", "undo s1");
            // Asked once at the timeout; asked again before compensating, still unknown: the compensation runs.
            assertThat(probes).hasValue(2);
        }
    }

    @Test
    void a_probe_that_throws_counts_as_unknown() {
        SagaDefinition<Trail> saga = Saga.define("throwing-probe", Trail.class)
                .step("s1").asyncAction((trail, context) -> new CompletableFuture<>())
                .compensation(TestSagas.compensation(ledger)).timeout(Duration.ofSeconds(5))
                .probe((trail, context) -> {
                    throw new IllegalStateException("the participant cannot be reached");
                })
                .build();
        try (SagaOrchestrator node = kit.orchestrator().register(saga).build()) {
            SagaExecution<Trail> execution = node.start(saga, Trail.of("t"));
            kit.timer().advance(Duration.ofSeconds(5));

            assertThat(execution.outcome().join().status()).isEqualTo(SagaStatus.COMPENSATED);
            assertThat(probeAnswers(execution.sagaId())).containsExactly("UNKNOWN");
            assertThat(ledger.calls()).containsExactly("undo s1");
        }
    }

    @Test
    void after_a_crash_the_probe_decides_whether_the_interrupted_step_runs_again() {
        AtomicReference<ProbeOutcome> answer = new AtomicReference<>(ProbeOutcome.APPLIED);
        AtomicInteger calls = new AtomicInteger();
        SagaDefinition<Trail> saga = Saga.define("crash-probe", Trail.class)
                .step("s1").asyncAction((trail, context) -> {
                    calls.incrementAndGet();
                    return new CompletableFuture<>();
                }).compensation(TestSagas.compensation(ledger))
                .probe((trail, context) -> answer.get())
                .step("s2").action(TestSagas.action(ledger))
                .build();
        SagaOrchestrator first = kit.orchestrator().register(saga).build();
        SagaExecution<Trail> execution = first.start(saga, Trail.of("t"));
        SagaTestKit.crash(first);
        kit.timer().advance(Duration.ofSeconds(31));

        try (SagaOrchestrator second = kit.orchestrator().register(saga).build()) {
            kit.timer().advance(Duration.ofSeconds(1));

            SagaInstance stored = kit.store().find(execution.sagaId()).orElseThrow();
            assertThat(stored.status()).isEqualTo(SagaStatus.COMPLETED);
            assertThat(calls).as("s1 was not run again: the probe says it took effect").hasValue(1);
            assertThat(probeAnswers(execution.sagaId())).containsExactly("APPLIED");
            assertThat(second.nodeId()).isNotEqualTo(first.nodeId());
        }
    }

    @Test
    void a_compensation_the_probe_says_is_not_needed_is_skipped() {
        AtomicInteger askedBeforeUndo = new AtomicInteger();
        SagaDefinition<Trail> saga = Saga.define("skip-undo", Trail.class)
                .step("s1").action(TestSagas.action(ledger)).compensation(TestSagas.compensation(ledger))
                .step("s2").asyncAction((trail, context) -> new CompletableFuture<>())
                .compensation(TestSagas.compensation(ledger)).timeout(Duration.ofSeconds(5))
                .probe((trail, context) -> context.isCompensation() || askedBeforeUndo.incrementAndGet() > 1
                        ? ProbeOutcome.NOT_APPLIED : ProbeOutcome.UNKNOWN)
                .build();
        try (SagaOrchestrator node = kit.orchestrator().register(saga).build()) {
            SagaExecution<Trail> execution = node.start(saga, Trail.of("t"));
            kit.timer().advance(Duration.ofSeconds(5));

            assertThat(execution.outcome().join().status()).isEqualTo(SagaStatus.COMPENSATED);
            assertThat(ledger.calls()).containsExactly("do s1", "undo s1");
            assertThat(probeAnswers(execution.sagaId())).containsExactly("UNKNOWN", "NOT_APPLIED");
            assertThat(kit.store().find(execution.sagaId()).orElseThrow().step("s2").status())
                    .isEqualTo(StepStatus.COMPENSATED);
        }
    }
}
