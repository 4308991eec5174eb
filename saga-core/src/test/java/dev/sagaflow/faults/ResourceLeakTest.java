package dev.sagaflow.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sagaflow.SagaDefinition;
import dev.sagaflow.SagaOrchestrator;
import dev.sagaflow.SagaReply;
import dev.sagaflow.SagaStatus;
import dev.sagaflow.StepStatus;
import dev.sagaflow.fixtures.Ledger;
import dev.sagaflow.fixtures.TestSagas;
import dev.sagaflow.fixtures.Trail;
import dev.sagaflow.store.SagaInstance;
import dev.sagaflow.store.StepState;
import dev.sagaflow.store.memory.InMemorySagaStore;
import dev.sagaflow.testing.SagaTestKit;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * The short form of the soak (see {@code InMemorySoakTest}, {@code -Psoak}): finished sagas leave no
 * timer task, thread or object behind. Runs in every build.
 */
class ResourceLeakTest {

    @Test
    void sagas_with_timeouts_retries_and_replies_leave_no_timer_task_once_they_end() {
        SagaTestKit kit = SagaTestKit.create();
        Shapes.all().forEach(shape -> {
            Participants participants = new Participants(shape);
            SagaDefinition<Trail> saga = shape.define("leak-" + shape.label(), participants);
            SagaOrchestrator orchestrator = kit.orchestrator().register(saga).build();
            int background = kit.timer().pendingTasks();
            for (int i = 0; i < 20; i++) {
                driveToEnd(kit, orchestrator, shape, participants, orchestrator.start(saga, Trail.of("t" + i)).sagaId());
            }
            assertThat(kit.timer().pendingTasks()).as("%s: timer tasks once every saga ended", shape.label())
                    .isEqualTo(background);
            orchestrator.close();
        });
        assertThat(kit.timer().pendingTasks()).as("after close").isZero();
    }

    /** Answers awaiting steps as the shape says and moves the clock until the saga ends. */
    private static void driveToEnd(SagaTestKit kit, SagaOrchestrator orchestrator, SagaShape shape,
            Participants participants, String id) {
        for (int i = 0; i < 2_000; i++) {
            SagaInstance instance = kit.store().find(id).orElseThrow();
            if (!instance.status().isLive()) {
                return;
            }
            StepState awaiting = instance.steps().stream().filter(s -> s.status() == StepStatus.AWAITING_REPLY)
                    .findFirst().orElse(null);
            if (awaiting != null && shape.step(awaiting.name()).reply() != ReplyKind.TIMEOUT) {
                StepSpec step = shape.step(awaiting.name());
                participants.remote(id, step, step.reply());
                orchestrator.reply(step.reply() == ReplyKind.SUCCESS
                        ? SagaReply.success(id, step.name(), SagaShape.replyPayload(step.name()))
                        : SagaReply.failure(id, step.name(), "no"));
                continue;
            }
            Instant next = kit.timer().dueTimes().get(0);
            kit.timer().advance(next.isAfter(kit.timer().now()) ? Duration.between(kit.timer().now(), next)
                    : Duration.ZERO);
        }
        throw new AssertionError(id + " did not end: " + kit.store().find(id));
    }

    @Test
    void orchestrators_built_and_closed_leave_no_thread_behind() throws Exception {
        java.util.List<String> before = LeakProbe.sagaflowThreads(java.util.List.of());
        SagaDefinition<Trail> saga = TestSagas.linear("threads", 2, new Ledger());
        for (int i = 0; i < 25; i++) {
            try (SagaOrchestrator orchestrator = SagaOrchestrator.builder(InMemorySagaStore.create()).register(saga)
                    .workerThreads(3).pollInterval(Duration.ofMillis(10)).build()) {
                assertThat(orchestrator.run(saga, Trail.of("t")).status()).isEqualTo(SagaStatus.COMPLETED);
            }
        }
        assertThat(LeakProbe.sagaflowThreads(before)).isEmpty();
    }

    @Test
    void ten_thousand_sagas_leave_no_instance_held_in_memory() throws Exception {
        InMemorySagaStore store = InMemorySagaStore.create();
        String report = new SoakRun(store, store::clear).run(10_000, 2_000, 4);
        System.out.println("[leak] " + report);
    }
}
