package dev.sagaflow.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import dev.sagaflow.BusinessRejection;
import dev.sagaflow.ReplyRejectedException;
import dev.sagaflow.RetryPolicy;
import dev.sagaflow.Saga;
import dev.sagaflow.SagaDefinition;
import dev.sagaflow.SagaExecution;
import dev.sagaflow.SagaOrchestrator;
import dev.sagaflow.SagaReply;
import dev.sagaflow.SagaStatus;
import dev.sagaflow.fixtures.Trail;
import dev.sagaflow.store.InstanceWrite;
import dev.sagaflow.store.SagaStore;
import dev.sagaflow.store.SagaStoreDecorator;
import dev.sagaflow.store.memory.InMemorySagaStore;
import dev.sagaflow.testing.SagaTestKit;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class SagaflowMetricsTest {
    private final MeterRegistry registry = new SimpleMeterRegistry();
    private final SagaflowMetrics metrics = SagaflowMetrics.create(registry);
    private final InMemorySagaStore store = InMemorySagaStore.create();
    private final SagaTestKit kit = SagaTestKit.over(metrics.instrument(store));

    private final SagaDefinition<Trail> order = Saga.define("create-order", Trail.class)
            .step("create-pending-order").action((trail, context) -> trail.mark("created"))
                .compensation((trail, context) -> trail.mark("rejected"))
            .step("reserve-credit").action((trail, context) -> {
                if (trail.name().equals("poor")) {
                    throw new BusinessRejection("credit limit exceeded");
                }
                if (trail.name().equals("flaky") && context.attempt() == 1) {
                    throw new IllegalStateException("customer service down");
                }
                return trail.mark("reserved");
            }).retry(RetryPolicy.fixed(Duration.ofSeconds(1), 3))
            .pivot("approve-order").action((trail, context) -> trail.mark("approved"))
            .build();

    @Test
    void every_meter_has_its_documented_name_and_tag_set_and_no_tag_holds_a_saga_id() {
        SagaOrchestrator orchestrator = metrics.bindTo(kit.orchestrator()).register(order, awaiting()).build();

        String happy = orchestrator.run(order, Trail.of("rich")).sagaId();
        String rejected = orchestrator.run(order, Trail.of("poor")).sagaId();
        SagaExecution<Trail> flaky = orchestrator.start(order, Trail.of("flaky"));
        kit.timer().advance(Duration.ofSeconds(1));
        assertThat(flaky.outcome().join().status()).isEqualTo(SagaStatus.COMPLETED);
        SagaExecution<Trail> waiting = orchestrator.start(awaiting(), Trail.of("w"));
        assertThatThrownBy(() -> orchestrator.reply(SagaReply.success(happy, "approve-order", "late")))
                .isInstanceOf(ReplyRejectedException.class);

        assertThat(tagKeys(SagaflowMetrics.SAGA_EXECUTION)).containsExactly("error", "outcome", "saga");
        assertThat(tagKeys(SagaflowMetrics.STEP_EXECUTION)).containsExactly("error", "outcome", "phase", "saga", "step");
        assertThat(tagKeys(SagaflowMetrics.STEP_RETRIES)).containsExactly("phase", "saga", "step");
        assertThat(tagKeys(SagaflowMetrics.SAGAS_ACTIVE)).containsExactly("saga", "status");
        assertThat(tagKeys(SagaflowMetrics.REPLY_REJECTED)).containsExactly("saga", "step");
        assertThat(tagKeys(SagaflowMetrics.STORE_WRITE)).containsExactly("operation", "outcome");
        assertThat(tagKeys(SagaflowMetrics.STORE_CONFLICTS)).containsExactly("operation");

        assertThat(registry.get(SagaflowMetrics.SAGA_EXECUTION).tags("saga", "create-order", "outcome", "completed")
                .timer().count()).isEqualTo(2);
        assertThat(registry.get(SagaflowMetrics.SAGA_EXECUTION).tags("saga", "create-order", "outcome", "compensated")
                .timer().count()).isEqualTo(1);
        assertThat(registry.get(SagaflowMetrics.STEP_EXECUTION).tags("saga", "create-order", "step", "reserve-credit",
                "phase", "action", "outcome", "rejection").timer().count()).isEqualTo(1);
        assertThat(registry.get(SagaflowMetrics.STEP_EXECUTION).tags("step", "reserve-credit", "outcome", "failure",
                "error", "IllegalStateException").timer().count()).isEqualTo(1);
        assertThat(registry.get(SagaflowMetrics.STEP_EXECUTION).tags("step", "reserve-credit", "outcome", "success")
                .timer().count()).isEqualTo(2);
        assertThat(registry.get(SagaflowMetrics.STEP_EXECUTION).tags("step", "create-pending-order",
                "phase", "compensation", "outcome", "success").timer().count()).isEqualTo(1);
        assertThat(registry.get(SagaflowMetrics.STEP_RETRIES).tags("saga", "create-order", "step", "reserve-credit",
                "phase", "action").counter().count()).isEqualTo(1);
        assertThat(registry.get(SagaflowMetrics.REPLY_REJECTED).tags("saga", "create-order", "step", "approve-order")
                .counter().count()).isEqualTo(1);
        assertThat(registry.get(SagaflowMetrics.SAGAS_ACTIVE).tags("saga", "create-order", "status", "RUNNING")
                .gauge().value()).isZero();
        assertThat(registry.get(SagaflowMetrics.SAGAS_ACTIVE).tags("saga", "awaiting", "status", "RUNNING")
                .gauge().value()).isEqualTo(1);
        // 4 inserts; a happy 3-step saga is 3 updates, the rejected one 3, the flaky one 4, the waiting one 1.
        assertThat(registry.get(SagaflowMetrics.STORE_WRITE).tags("operation", "insert", "outcome", "written")
                .timer().count()).isEqualTo(4);
        assertThat(registry.get(SagaflowMetrics.STORE_WRITE).tags("operation", "update", "outcome", "written")
                .timer().count()).isEqualTo(3 + 3 + 4 + 1);

        Set<String> sagaIds = Set.of(happy, rejected, flaky.sagaId(), waiting.sagaId());
        assertThat(registry.getMeters()).flatExtracting(meter -> meter.getId().getTags())
                .extracting(Tag::getValue).doesNotContainAnyElementsOf(sagaIds);
    }

    @Test
    void a_node_that_takes_over_counts_a_claim_and_the_node_that_lost_the_instance_counts_a_lost_lease_and_no_longer_an_active_saga() {
        MeterRegistry otherRegistry = new SimpleMeterRegistry();
        SagaflowMetrics otherMetrics = SagaflowMetrics.create(otherRegistry);
        SagaOrchestrator first = metrics.bindTo(SagaOrchestrator.builder(metrics.instrument(store))
                .timer(kit.timer()).executor(Runnable::run).nodeId("first")).register(awaiting()).build();
        SagaOrchestrator second = otherMetrics.bindTo(SagaOrchestrator.builder(otherMetrics.instrument(store))
                .timer(kit.timer()).executor(Runnable::run).nodeId("second")).register(awaiting()).build();
        SagaExecution<Trail> execution = first.start(awaiting(), Trail.of("w"));

        // The reply reaches the other node, which takes the instance over to apply it.
        second.reply(SagaReply.success(execution.sagaId(), "wait-for-stock", "in stock"));
        // The first node's reply timeout fires; it re-reads the instance before acting, finds it moved on, and stops.
        kit.timer().advance(Duration.ofSeconds(10));

        assertThat(store.find(execution.sagaId()).orElseThrow().status()).isEqualTo(SagaStatus.COMPLETED);
        assertThat(otherRegistry.get(SagaflowMetrics.LEASE_CLAIMED).tags("saga", "awaiting").counter().count())
                .isEqualTo(1);
        assertThat(registry.get(SagaflowMetrics.LEASE_LOST).tags("saga", "awaiting").counter().count()).isEqualTo(1);
        assertThat(registry.get(SagaflowMetrics.SAGAS_ACTIVE).tags("saga", "awaiting", "status", "RUNNING")
                .gauge().value()).isZero();
        assertThat(registry.get(SagaflowMetrics.SAGA_EXECUTION).tags("saga", "awaiting", "outcome", "handed_over")
                .timer().count()).isEqualTo(1);
        assertThat(otherRegistry.get(SagaflowMetrics.SAGA_EXECUTION).tags("saga", "awaiting", "outcome", "completed")
                .timer().count()).isEqualTo(1);
        assertThat(tagKeys(SagaflowMetrics.LEASE_LOST)).containsExactly("saga");
        assertThat(otherRegistry.get(SagaflowMetrics.LEASE_CLAIMED).meters()).extracting(this::keys)
                .containsOnly(List.of("saga"));
        first.close();
        second.close();
    }

    @Test
    void recovery_after_a_crash_counts_the_claimed_instances_and_observes_them_to_their_end() {
        SagaOrchestrator crashed = metrics.bindTo(kit.orchestrator()).register(awaiting()).build();
        SagaExecution<Trail> execution = crashed.start(awaiting(), Trail.of("w"));
        SagaTestKit.crash(crashed);

        SagaOrchestrator restarted = metrics.bindTo(kit.orchestrator()).register(awaiting()).nodeId("node-1").build();
        restarted.reply(SagaReply.success(execution.sagaId(), "wait-for-stock", "in stock"));

        assertThat(registry.get(SagaflowMetrics.LEASE_CLAIMED).tags("saga", "awaiting").counter().count())
                .isEqualTo(1);
        assertThat(registry.get(SagaflowMetrics.SAGA_EXECUTION).tags("saga", "awaiting", "outcome", "completed")
                .timer().count()).isEqualTo(1);
    }

    @Test
    void the_catalogue_every_meter_name_with_exactly_its_tag_keys() {
        // Two nodes on one store, each with its own registry; between them every meter is made.
        MeterRegistry otherRegistry = new SimpleMeterRegistry();
        SagaflowMetrics otherMetrics = SagaflowMetrics.create(otherRegistry);
        SagaOrchestrator first = metrics.bindTo(SagaOrchestrator.builder(metrics.instrument(store))
                .timer(kit.timer()).executor(Runnable::run).nodeId("first")).register(order, awaiting()).build();
        SagaOrchestrator second = otherMetrics.bindTo(SagaOrchestrator.builder(otherMetrics.instrument(store))
                .timer(kit.timer()).executor(Runnable::run).nodeId("second")).register(order, awaiting()).build();
        String happy = first.run(order, Trail.of("rich")).sagaId();
        first.run(order, Trail.of("poor"));                                         // a compensation
        first.start(order, Trail.of("flaky"));                                      // a retry
        kit.timer().advance(Duration.ofSeconds(1));
        assertThatThrownBy(() -> first.reply(SagaReply.success(happy, "approve-order", "late")))
                .isInstanceOf(ReplyRejectedException.class);
        SagaExecution<Trail> execution = first.start(awaiting(), Trail.of("w"));
        second.reply(SagaReply.success(execution.sagaId(), "wait-for-stock", "in stock"));   // a claim
        kit.timer().advance(Duration.ofSeconds(10));                                  // a lost lease

        Map<String, Set<List<String>>> catalogue = new TreeMap<>();
        for (MeterRegistry each : List.of(registry, otherRegistry)) {
            each.getMeters().forEach(meter -> catalogue.computeIfAbsent(meter.getId().getName(), name -> new HashSet<>())
                    .add(keys(meter)));
        }
        assertThat(catalogue).containsExactlyInAnyOrderEntriesOf(Map.ofEntries(
                entry(SagaflowMetrics.SAGA_EXECUTION, Set.of(List.of("error", "outcome", "saga"))),
                entry(SagaflowMetrics.SAGA_EXECUTION + ".active", Set.of(List.of("saga"))),
                entry(SagaflowMetrics.STEP_EXECUTION, Set.of(List.of("error", "outcome", "phase", "saga", "step"))),
                entry(SagaflowMetrics.STEP_EXECUTION + ".active", Set.of(List.of("phase", "saga", "step"))),
                entry(SagaflowMetrics.STEP_RETRIES, Set.of(List.of("phase", "saga", "step"))),
                entry(SagaflowMetrics.SAGAS_ACTIVE, Set.of(List.of("saga", "status"))),
                entry(SagaflowMetrics.REPLY_REJECTED, Set.of(List.of("saga", "step"))),
                entry(SagaflowMetrics.STORE_WRITE, Set.of(List.of("operation", "outcome"))),
                entry(SagaflowMetrics.STORE_CONFLICTS, Set.of(List.of("operation"))),
                entry(SagaflowMetrics.LEASE_CLAIMED, Set.of(List.of("saga"))),
                entry(SagaflowMetrics.LEASE_LOST, Set.of(List.of("saga")))));
        first.close();
        second.close();
    }

    @Test
    void a_read_of_this_nodes_own_last_write_before_its_answer_is_back_is_not_a_lost_lease() {
        // Between the store and the meters: after each write that ends a saga, a read through the meters, as another
        // thread of this node could make before the write's answer reaches them.
        ReadsBackFinishingWrites readsBack = new ReadsBackFinishingWrites(store);
        SagaStore metered = metrics.instrument(readsBack.asStore());
        readsBack.reader = metered;
        SagaOrchestrator orchestrator = metrics.bindTo(SagaOrchestrator.builder(metered).timer(kit.timer())
                .executor(Runnable::run).nodeId("only")).register(order).build();

        orchestrator.run(order, Trail.of("rich"));

        assertThat(readsBack.reads).isEqualTo(1);
        assertThat(registry.find(SagaflowMetrics.LEASE_LOST).counter()).isNull();
        assertThat(registry.get(SagaflowMetrics.SAGA_EXECUTION).tags("saga", "create-order", "outcome", "completed")
                .timer().count()).isEqualTo(1);
        orchestrator.close();
    }

    /** A store that reads an instance back through {@link #reader} right after a write that finished it. */
    private static final class ReadsBackFinishingWrites extends SagaStoreDecorator {
        SagaStore reader;
        int reads;

        ReadsBackFinishingWrites(SagaStore delegate) {
            super(delegate);
        }

        @Override
        public boolean update(long expectedVersion, InstanceWrite write) {
            boolean written = delegate.update(expectedVersion, write);
            if (written && !write.instance().status().isLive()) {
                reads++;
                reader.find(write.instance().id());
            }
            return written;
        }
    }

    private static SagaDefinition<Trail> awaiting() {
        return Saga.define("awaiting", Trail.class)
                .step("wait-for-stock").action((trail, context) -> trail).awaitReply(String.class,
                        (trail, reply) -> trail.mark(reply)).timeout(Duration.ofSeconds(10))
                .build();
    }

    private Set<String> tagKeys(String name) {
        return registry.get(name).meters().stream().flatMap(meter -> keys(meter).stream())
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private List<String> keys(Meter meter) {
        return meter.getId().getTags().stream().map(Tag::getKey).sorted().toList();
    }
}
