package dev.sagaflow.guarantees;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sagaflow.Saga;
import dev.sagaflow.SagaDefinition;
import dev.sagaflow.SagaExecution;
import dev.sagaflow.SagaOrchestrator;
import dev.sagaflow.SagaOutcome;
import dev.sagaflow.SagaReply;
import dev.sagaflow.SagaStatus;
import dev.sagaflow.fixtures.Trail;
import dev.sagaflow.store.memory.InMemorySagaStore;
import dev.sagaflow.testing.SagaTestKit;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Replies: durable, whichever node gets them, never waiting for a running action (issue 10, findings 5, 13, 22). */
class ReplyGuaranteesTest {

    private static SagaDefinition.StepBuilder<Trail> asking(String name) {
        return Saga.define(name, Trail.class).step("ask").awaitReply(String.class, (trail, reply) -> trail.mark(reply));
    }

    /** Finding 5: a reply that reaches another node while the action runs is merged into the action's result. */
    @Test
    void a_reply_delivered_to_another_node_while_the_action_runs_keeps_what_the_action_returned() {
        SagaTestKit kit = SagaTestKit.create();
        CompletableFuture<Trail> sent = new CompletableFuture<>();
        SagaDefinition<Trail> saga = asking("elsewhere").asyncAction((trail, context) -> sent)
                .compensation((trail, context) -> trail).build();
        try (SagaOrchestrator owner = kit.orchestrator().register(saga).build();
                SagaOrchestrator other = kit.orchestrator().register(saga).build()) {
            SagaExecution<Trail> execution = owner.start(saga, Trail.of("t"));

            other.reply(SagaReply.success(execution.sagaId(), "ask", "approved"));
            sent.complete(Trail.of("t").mark("command sent"));

            SagaOutcome<Trail> outcome = execution.outcome().join();
            assertThat(outcome.status()).isEqualTo(SagaStatus.COMPLETED);
            assertThat(outcome.data().marks()).containsExactly("command sent", "approved");
            assertThat(kit.store().replies(execution.sagaId())).as("the recorded reply was consumed").isEmpty();
        }
    }

    /** Finding 13: an in-process participant that replies from inside the action does not deadlock it. */
    @Test
    void a_reply_delivered_from_inside_the_action_does_not_deadlock() throws Exception {
        AtomicReference<SagaOrchestrator> self = new AtomicReference<>();
        SagaDefinition<Trail> saga = asking("in-process").action((trail, context) -> {
            self.get().reply(SagaReply.success(context.sagaId(), context.stepName(), "approved"));
            return trail.mark("command sent");
        }).compensation((trail, context) -> trail).build();
        try (SagaOrchestrator node = SagaOrchestrator.builder(InMemorySagaStore.create()).register(saga).build()) {
            self.set(node);

            SagaOutcome<Trail> outcome = node.start(saga, Trail.of("t")).await(Duration.ofSeconds(10));

            assertThat(outcome.status()).isEqualTo(SagaStatus.COMPLETED);
            assertThat(outcome.data().marks()).containsExactly("command sent", "approved");
        }
    }

    /** Finding 22: reply() returns as soon as the reply is recorded, while the action still runs. */
    @Test
    void reply_returns_once_the_reply_is_recorded_while_the_action_still_runs() throws Exception {
        CountDownLatch actionRuns = new CountDownLatch(1);
        CountDownLatch letActionReturn = new CountDownLatch(1);
        SagaDefinition<Trail> saga = asking("busy-action").action((trail, context) -> {
            actionRuns.countDown();
            letActionReturn.await(10, TimeUnit.SECONDS);
            return trail.mark("command sent");
        }).compensation((trail, context) -> trail).build();
        InMemorySagaStore store = InMemorySagaStore.create();
        try (SagaOrchestrator node = SagaOrchestrator.builder(store).register(saga).build()) {
            SagaExecution<Trail> execution = node.start(saga, Trail.of("t"));
            assertThat(actionRuns.await(5, TimeUnit.SECONDS)).isTrue();

            CompletableFuture<Void> delivery = CompletableFuture.runAsync(() ->
                    node.reply(SagaReply.success(execution.sagaId(), "ask", "approved")));
            delivery.get(5, TimeUnit.SECONDS);

            assertThat(store.replies(execution.sagaId())).as("recorded, durably").hasSize(1);
            assertThat(execution.outcome()).isNotDone();
            letActionReturn.countDown();
            assertThat(execution.await(Duration.ofSeconds(10)).data().marks())
                    .containsExactly("command sent", "approved");
        }
    }
}
