package dev.sagaflow.guarantees;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sagaflow.RetryPolicy;
import dev.sagaflow.Saga;
import dev.sagaflow.SagaDataException;
import dev.sagaflow.SagaDefinition;
import dev.sagaflow.SagaExecution;
import dev.sagaflow.SagaInfo;
import dev.sagaflow.SagaOrchestrator;
import dev.sagaflow.SagaReply;
import dev.sagaflow.SagaStatus;
import dev.sagaflow.fixtures.Trail;
import dev.sagaflow.store.HistoryEntry;
import dev.sagaflow.store.SagaInstance;
import dev.sagaflow.store.memory.InMemorySagaStore;
import dev.sagaflow.testing.ManualTimer;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** What is accepted, what is kept, and for how long (issue 10, findings 14, 15, 18, 23 and 24). */
class LimitsTest {

    /** Finding 14: a policy or timeout that could overflow is refused when it is made, never inside a saga. */
    @Test
    void durations_that_could_overflow_are_refused_when_they_are_given() {
        assertThatThrownBy(() -> RetryPolicy.exponential(Duration.ofSeconds(1), 3)
                .withMaxDelay(Duration.ofSeconds(Long.MAX_VALUE))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxDelay must be at most");
        assertThatThrownBy(() -> RetryPolicy.fixed(Duration.ofDays(400), 3)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Saga.define("s", Trail.class).timeout(Duration.ofSeconds(Long.MAX_VALUE)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("saga 's': timeout");
        assertThatThrownBy(() -> Saga.define("s", Trail.class).step("a").timeout(Duration.ofDays(100_000)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("step 'a'");
        assertThatThrownBy(() -> SagaOrchestrator.builder(InMemorySagaStore.create())
                .leaseDuration(Duration.ofSeconds(Long.MAX_VALUE))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("leaseDuration");
    }

    /** Finding 15: error text is cut to a bound, stripped of stack lines, and redacted, everywhere it is kept. */
    @Test
    void error_text_is_bounded_and_redacted_wherever_it_is_stored() {
        ManualTimer timer = new ManualTimer();
        InMemorySagaStore store = InMemorySagaStore.builder().clock(timer.clock()).build();
        String huge = "card 4111-1111-1111-1111 declined; " + "x".repeat(1_000_000) + "\n\tat com.example.Pay.run";
        SagaDefinition<Trail> saga = Saga.define("huge-error", Trail.class)
                .step("s1").action((trail, context) -> trail).compensation((trail, context) -> trail)
                .step("s2").action((trail, context) -> {
                    throw new IllegalStateException(huge);
                })
                .build();
        try (SagaOrchestrator node = SagaOrchestrator.builder(store).register(saga).timer(timer)
                .executor(Runnable::run).maxErrorLength(4096)
                .errorRedactor(text -> text.replaceAll("\\d{4}-\\d{4}-\\d{4}-\\d{4}", "****")).build()) {
            String id = node.start(saga, Trail.of("t")).sagaId();

            SagaInstance stored = store.find(id).orElseThrow();
            assertThat(stored.step("s2").error()).hasSizeLessThanOrEqualTo(4096).contains("card **** declined")
                    .contains("more characters)").doesNotContain("4111");
            assertThat(stored.error()).hasSizeLessThanOrEqualTo(4096 + 40).doesNotContain("4111");
            for (HistoryEntry entry : store.history(id)) {
                if (entry.detail() != null) {
                    assertThat(entry.detail()).hasSizeLessThanOrEqualTo(4096 + 40).doesNotContain("4111")
                            .doesNotContain("\tat com.example");
                }
            }
        }
    }

    /** Finding 15: finished sagas and their history can be purged by age; FAILED and live ones are kept. */
    @Test
    void finished_sagas_are_purged_by_age_with_their_history() {
        ManualTimer timer = new ManualTimer();
        InMemorySagaStore store = InMemorySagaStore.builder().clock(timer.clock()).build();
        SagaDefinition<Trail> saga = Saga.define("purged", Trail.class)
                .step("s1").action((trail, context) -> trail.mark("s1")).build();
        try (SagaOrchestrator node = SagaOrchestrator.builder(store).register(saga).timer(timer)
                .executor(Runnable::run).build()) {
            String old = node.start(saga, Trail.of("old")).sagaId();
            timer.advance(Duration.ofDays(8));
            String recent = node.start(saga, Trail.of("recent")).sagaId();

            int purged = node.purgeFinished(timer.now().minus(Duration.ofDays(7)));

            assertThat(purged).isEqualTo(1);
            assertThat(node.find(old)).isEmpty();
            assertThat(store.history(old)).isEmpty();
            assertThat(node.find(recent)).isPresent();
        }
    }

    /** Finding 18: data longer than the limit is refused at start, the same way on every store. */
    @Test
    void data_longer_than_the_limit_is_refused_at_start() {
        SagaDefinition<Trail> saga = Saga.define("big", Trail.class).step("s1").action((trail, context) -> trail).build();
        try (SagaOrchestrator node = SagaOrchestrator.builder(InMemorySagaStore.create()).register(saga).build()) {
            assertThatThrownBy(() -> node.start(saga, Trail.of("x".repeat(20_000_000))))
                    .isInstanceOf(SagaDataException.class)
                    .hasMessageContaining("longer than the limit of " + SagaOrchestrator.DEFAULT_MAX_DATA_LENGTH)
                    .hasMessageContaining("saga 'big'");
        }
    }

    /** Finding 23: names a store cannot keep are refused when the definition is built, naming it. */
    @Test
    void names_longer_than_a_store_keeps_are_refused_when_built() {
        String longName = "n".repeat(SagaDefinition.MAX_NAME_LENGTH + 1);
        assertThatThrownBy(() -> Saga.define(longName, Trail.class)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("201 characters").hasMessageContaining("at most 200");
        assertThatThrownBy(() -> Saga.define("s", Trail.class).step(longName).action((t, c) -> t).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("saga 's' step 1");
        assertThatThrownBy(() -> Saga.define("s", Trail.class).step("a\u0000b").action((t, c) -> t).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("control character");
        assertThatThrownBy(() -> SagaOrchestrator.builder(InMemorySagaStore.create()).nodeId(longName))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nodeId");
        SagaDefinition<Trail> saga = Saga.define("keys", Trail.class).step("s1").action((t, c) -> t).build();
        try (SagaOrchestrator node = SagaOrchestrator.builder(InMemorySagaStore.create()).register(saga).build()) {
            assertThatThrownBy(() -> node.start(saga, Trail.of("t"), "k".repeat(501)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("saga 'keys': idempotencyKey");
        }
    }

    /** Finding 24: the traps of the API: a typed data accessor; replies by correlation id say so in their name. */
    @Test
    void saga_info_gives_typed_data_and_replies_by_correlation_id_are_named_as_such() {
        SagaDefinition<Trail> saga = Saga.define("typed", Trail.class).step("s1").action((t, c) -> t.mark("s1"))
                .step("ask").action((t, c) -> t).awaitReply().build();
        try (SagaOrchestrator node = SagaOrchestrator.builder(InMemorySagaStore.create()).register(saga)
                .timer(new ManualTimer()).executor(Runnable::run).build()) {
            SagaExecution<Trail> execution = node.start(saga, Trail.of("t"));
            String correlationId = SagaReply.correlationId(execution.sagaId(), "ask");
            SagaInfo waiting = node.find(execution.sagaId()).orElseThrow();
            assertThat(waiting.data(Trail.class).marks()).containsExactly("s1");
            assertThatThrownBy(() -> waiting.data(String.class)).isInstanceOf(ClassCastException.class)
                    .hasMessageContaining(execution.sagaId());
            assertThatThrownBy(() -> SagaReply.successForCorrelationId(execution.sagaId(), "ask"))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("success(sagaId, step, payload)");

            node.reply(SagaReply.successForCorrelationId(correlationId, null));

            assertThat(execution.outcome().join().status()).isEqualTo(SagaStatus.COMPLETED);
        }
    }
}
