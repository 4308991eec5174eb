package dev.sagaflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sagaflow.fixtures.Trail;
import dev.sagaflow.store.SagaQuery;
import dev.sagaflow.store.memory.InMemorySagaStore;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ConcurrencyTest {
    private static final int SAGAS = 10_000;

    /** Per instance, the calls its participants received, in order. */
    private final Map<String, List<String>> calls = new ConcurrentHashMap<>();

    private StepAction<Trail> participant(String verb) {
        return (trail, context) -> {
            calls.computeIfAbsent(context.sagaId(), id -> Collections.synchronizedList(new ArrayList<>()))
                    .add(verb + " " + context.stepName());
            if (!context.isCompensation() && context.stepName().equals("s3")) {
                String name = trail.name();
                if (name.endsWith("reject")) {
                    throw new BusinessRejection("rejected");
                }
                if (name.endsWith("flaky") && context.attempt() == 1) {
                    throw new IOException("flaky");
                }
            }
            return trail.mark(verb + " " + context.stepName());
        };
    }

    @Test
    void ten_thousand_sagas_on_a_pool_all_end_with_every_invariant_holding() throws Exception {
        SagaDefinition.Builder<Trail> builder = Saga.define("concurrent", Trail.class);
        for (String step : List.of("s1", "s2", "s3")) {
            builder.step(step).action(participant("do")).compensation(participant("undo"))
                    .retry(RetryPolicy.fixed(Duration.ofMillis(1), 2));
        }
        SagaDefinition<Trail> saga = builder.build();
        InMemorySagaStore store = InMemorySagaStore.create();
        List<CompletableFuture<SagaOutcome<Trail>>> outcomes = new ArrayList<>(SAGAS);
        try (SagaOrchestrator orchestrator = SagaOrchestrator.builder(store).register(saga).workerThreads(8).build()) {
            for (int i = 0; i < SAGAS; i++) {
                String kind = i % 3 == 0 ? "reject" : i % 3 == 1 ? "flaky" : "plain";
                outcomes.add(orchestrator.start(saga, Trail.of(i + "-" + kind)).outcome());
            }
            CompletableFuture.allOf(outcomes.toArray(CompletableFuture[]::new)).get(2, TimeUnit.MINUTES);
        }

        int completed = 0;
        int compensated = 0;
        for (CompletableFuture<SagaOutcome<Trail>> future : outcomes) {
            SagaOutcome<Trail> outcome = future.join();
            List<String> seen = calls.get(outcome.sagaId());
            if (outcome.data().name().endsWith("reject")) {
                assertThat(outcome.status()).isEqualTo(SagaStatus.COMPENSATED);
                assertThat(seen).containsExactly("do s1", "do s2", "do s3", "undo s2", "undo s1");
                compensated++;
            } else {
                assertThat(outcome.status()).isEqualTo(SagaStatus.COMPLETED);
                List<String> expected = outcome.data().name().endsWith("flaky")
                        ? List.of("do s1", "do s2", "do s3", "do s3") : List.of("do s1", "do s2", "do s3");
                assertThat(seen).containsExactlyElementsOf(expected);
                completed++;
            }
        }
        assertThat(completed + compensated).isEqualTo(SAGAS);
        assertThat(store.size()).isEqualTo(SAGAS);
        assertThat(store.query(SagaQuery.withStatus(SagaStatus.RUNNING, SagaStatus.COMPENSATING, SagaStatus.FAILED)))
                .isEmpty();
        assertThat(store.query(SagaQuery.withStatus(SagaStatus.COMPLETED).limit(SagaQuery.MAX_LIMIT)))
                .allSatisfy(instance -> assertThat(instance.owner()).isNull()).hasSize(completed);
    }
}
