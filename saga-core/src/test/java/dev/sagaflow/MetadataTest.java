package dev.sagaflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sagaflow.fixtures.Trail;
import dev.sagaflow.testing.SagaTestKit;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Metadata given at start is kept with the instance and seen by every attempt, on any node, after any crash. */
class MetadataTest {

    @Test
    void metadata_given_at_start_is_seen_by_every_attempt_also_after_another_node_takes_over() {
        SagaTestKit kit = SagaTestKit.create();
        List<Map<String, String>> seen = new CopyOnWriteArrayList<>();
        SagaDefinition<Trail> saga = Saga.define("traced", Trail.class)
                .step("s1").action((trail, context) -> {
                    seen.add(context.metadata());
                    return trail;
                })
                .step("s2").asyncAction((trail, context) -> {
                    seen.add(context.metadata());
                    return context.attempt() == 1 ? new CompletableFuture<>() : CompletableFuture.completedFuture(trail);
                })
                .build();
        SagaOrchestrator first = kit.orchestrator().register(saga)
                .metadataProvider((name, id) -> Map.of("traceparent", "00-" + id.replace("-", "") + "-01")).build();
        SagaExecution<Trail> execution = first.start(saga, Trail.of("t"));
        SagaTestKit.crash(first);
        kit.timer().advance(Duration.ofSeconds(31));

        try (SagaOrchestrator second = kit.orchestrator().register(saga).build()) {
            kit.timer().advance(Duration.ofSeconds(1));

            String expected = "00-" + execution.sagaId().replace("-", "") + "-01";
            assertThat(seen).hasSize(3).allSatisfy(m -> assertThat(m).containsExactly(Map.entry("traceparent", expected)));
            assertThat(kit.store().find(execution.sagaId()).orElseThrow().status()).isEqualTo(SagaStatus.COMPLETED);
            assertThat(second.nodeId()).isNotEqualTo(first.nodeId());
        }
    }

    @Test
    void metadata_beyond_its_bounds_fails_the_start_and_writes_nothing() {
        SagaTestKit kit = SagaTestKit.create();
        SagaDefinition<Trail> saga = Saga.define("too-much", Trail.class).step("s1").action((t, c) -> t).build();
        try (SagaOrchestrator node = kit.orchestrator().register(saga)
                .metadataProvider((name, id) -> Map.of("big", "x".repeat(5000))).build()) {
            assertThatThrownBy(() -> node.start(saga, Trail.of("t"))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("metadata 'big'");
            assertThat(kit.store().query(dev.sagaflow.store.SagaQuery.all())).isEmpty();
        }
    }
}
