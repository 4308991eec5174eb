package dev.sagaflow.jdbc.proofs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sagaflow.SagaDefinition;
import dev.sagaflow.SagaExecution;
import dev.sagaflow.SagaOrchestrator;
import dev.sagaflow.SagaOutcome;
import dev.sagaflow.SagaStatus;
import dev.sagaflow.SagaStoreException;
import dev.sagaflow.jdbc.JdbcSagaStore;
import dev.sagaflow.jdbc.proofs.OrderSaga.Order;
import dev.sagaflow.jdbc.support.OutageDataSource;
import dev.sagaflow.jdbc.support.TestDatabase;
import dev.sagaflow.store.SagaInstance;
import dev.sagaflow.testing.SagaTestKit;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The database goes away while sagas are in the middle of a step, and comes back. The store is
 * built on an {@link OutageDataSource} that refuses connections while it is down; the participants
 * keep their own database. Every saga's next write fails during the outage; the runtime must keep
 * it, retry it with backoff, log why, and finish every saga once the database is back, with each
 * command applied once. Starting a saga during the outage fails at once with a clear exception and
 * writes nothing. The outage is either short (leases far from running out) or longer than the lease,
 * so that this node's own recovery finds its leases expired when the database returns.
 */
abstract class AbstractStoreOutageTest {
    private static final Duration LIMIT = Duration.ofSeconds(60);
    private static final int SAGAS = 12;

    private ProofTables tables;

    abstract TestDatabase database();

    @BeforeEach
    void createTables() {
        tables = ProofTables.create(database(), "outage");
    }

    @AfterEach
    void dropTables() {
        if (tables != null) {
            tables.close();
        }
    }

    @Test
    void sagas_caught_mid_step_by_an_outage_finish_when_the_database_is_back() throws Exception {
        runThroughOutage("outage-short", Duration.ofSeconds(30), Duration.ofSeconds(10), ids -> true);
    }

    @Test
    void an_outage_longer_than_the_lease_loses_nothing() throws Exception {
        JdbcSagaStore reader = tables.store(database().pooled());
        runThroughOutage("outage-long", Duration.ofSeconds(2), Duration.ofMillis(200), ids -> {
            Instant now = Instant.now();
            return ids.stream().map(id -> reader.find(id).orElseThrow())
                    .allMatch(instance -> instance.leaseUntil().isBefore(now));
        });
    }

    @Test
    void a_node_restarted_while_the_database_is_down_resumes_its_instances_once_it_is_back() throws Exception {
        String node = "outage-restart";
        OutageDataSource database = new OutageDataSource(database().pooled());
        JdbcSagaStore store = tables.store(database);
        CountDownLatch entered = new CountDownLatch(3);
        CountDownLatch never = new CountDownLatch(1);
        SagaDefinition<Order> blocking = OrderSaga.definition(new Participant(database().pooled(), tables, node,
                "parent"), context -> {
                    if (context.stepName().equals("charge")) {
                        entered.countDown();
                        never.await();
                    }
                });
        SagaOrchestrator dead = SagaOrchestrator.builder(store).register(blocking).nodeId(node)
                .pollInterval(Duration.ofMinutes(10)).workerThreads(8).build();
        List<String> ids = List.of(dead.start(blocking, new Order(node + "-0", false)).sagaId(),
                dead.start(blocking, new Order(node + "-1", false)).sagaId(),
                dead.start(blocking, new Order(node + "-2", true)).sagaId());
        assertThat(entered.await(LIMIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        SagaTestKit.crash(dead);

        // When the process comes back under the same node id while the database is away
        database.goDown();
        SagaDefinition<Order> saga = OrderSaga.definition(new Participant(database().pooled(), tables, node,
                "parent"), OrderSaga.Pause.NONE);
        try (SagaOrchestrator restarted = SagaOrchestrator.builder(store).register(saga).nodeId(node)
                .leaseDuration(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(200)).build()) {
            int refusedAtStart = database.refused();
            Await.until("a recovery after the start-up one has failed too", LIMIT,
                    () -> database.refused() > refusedAtStart + 1);
            database.comeBack();

            // Then it resumes them all
            Await.until("the instances of the previous process have ended", LIMIT,
                    () -> ids.stream().allMatch(id -> !store.find(id).orElseThrow().status().isLive()),
                    () -> ids.stream().map(id -> store.find(id).orElseThrow()).toList());
        }
        assertThat(store.find(ids.get(0)).orElseThrow().status()).isEqualTo(SagaStatus.COMPLETED);
        assertThat(store.find(ids.get(1)).orElseThrow().status()).isEqualTo(SagaStatus.COMPLETED);
        assertThat(store.find(ids.get(2)).orElseThrow().status()).isEqualTo(SagaStatus.COMPENSATED);
        for (String id : ids) {
            assertThat(tables.callKeys(id, "charge", "do")).containsExactly(id + ":charge", id + ":charge");
        }
        never.countDown();
    }

    @FunctionalInterface
    private interface Condition {
        boolean holds(List<String> sagaIds);
    }

    private void runThroughOutage(String node, Duration lease, Duration poll, Condition outageLongEnough)
            throws Exception {
        OutageDataSource database = new OutageDataSource(database().pooled());
        FailedWritesStore store = new FailedWritesStore(tables.store(database));
        CountDownLatch arrived = new CountDownLatch(SAGAS);
        CountDownLatch gate = new CountDownLatch(1);
        Participant participant = new Participant(database().pooled(), tables, node, "parent");
        SagaDefinition<Order> saga = OrderSaga.definition(participant, context -> {
            if (context.stepName().equals("charge") && !context.isCompensation()) {
                arrived.countDown();
                gate.await();
            }
        });
        Map<String, Boolean> rejected = new LinkedHashMap<>();
        Map<String, SagaExecution<Order>> executions = new LinkedHashMap<>();
        try (SagaOrchestrator orchestrator = SagaOrchestrator.builder(store).register(saga).nodeId(node)
                .leaseDuration(lease).pollInterval(poll).workerThreads(SAGAS + 4).build()) {
            for (int i = 0; i < SAGAS; i++) {
                Order order = new Order(node + "-" + i, i % 3 == 2);
                SagaExecution<Order> execution = orchestrator.start(saga, order);
                executions.put(execution.sagaId(), execution);
                rejected.put(execution.sagaId(), order.reject());
            }
            List<String> ids = List.copyOf(executions.keySet());
            assertThat(arrived.await(LIMIT.toSeconds(), TimeUnit.SECONDS)).as("every saga is in step charge").isTrue();

            // Given every saga in the middle of step charge, when the database goes away
            database.goDown();
            assertThatThrownBy(() -> orchestrator.start(saga, new Order(node + "-during", false)))
                    .isInstanceOf(SagaStoreException.class)
                    .hasMessageContaining("Connection refused");
            gate.countDown();
            Await.until("every saga has failed to record the end of step charge", LIMIT,
                    () -> store.failed().containsAll(ids), store::failed);
            Await.until("the outage has lasted long enough", LIMIT, () -> outageLongEnough.holds(ids));

            // and comes back
            database.comeBack();

            for (Map.Entry<String, SagaExecution<Order>> entry : executions.entrySet()) {
                SagaOutcome<Order> outcome = entry.getValue().await(LIMIT);
                assertThat(outcome.status()).as("outcome of %s", entry.getKey())
                        .isEqualTo(rejected.get(entry.getKey()) ? SagaStatus.COMPENSATED : SagaStatus.COMPLETED);
            }
            assertThat(database.refused()).isPositive();
            System.out.printf("%s, %s: %d sagas caught by the outage; %d connections and statements refused;"
                            + " %d steps run again after the node took its own instances back%n",
                    database().displayName(), node, SAGAS, database.refused(),
                    tables.number("SELECT count(*) FROM " + tables.table("calls") + " WHERE node = ? AND attempt > 1",
                            node));
        }

        // Nothing lost, nothing done twice, nothing written by the start that failed.
        assertThat(tables.number("SELECT count(*) FROM " + tables.table("instances") + " WHERE id IN ("
                + String.join(", ", executions.keySet().stream().map(id -> "'" + id + "'").toList()) + ")"))
                .isEqualTo(SAGAS);
        assertThat(tables.number("SELECT count(*) FROM " + tables.table("calls") + " WHERE node = ?", node))
                .as("calls, none for the saga refused during the outage")
                .isEqualTo(rejected.values().stream().mapToLong(r -> r ? 5 : 3).sum()
                        + tables.number("SELECT count(*) FROM " + tables.table("calls")
                                + " WHERE node = ? AND attempt > 1", node));
        for (String id : executions.keySet()) {
            boolean reject = rejected.get(id);
            assertThat(tables.effects(id).stream().map(e -> e.substring(0, e.lastIndexOf(' '))).toList())
                    .as("effects of %s", id)
                    .containsExactlyInAnyOrderElementsOf(reject
                            ? List.of("do reserve", "do charge", "undo charge", "undo reserve")
                            : List.of("do reserve", "do charge", "do confirm"));
            assertThat(tables.callKeys(id, "charge", "do")).as("charge of %s", id).isNotEmpty()
                    .allMatch(key -> key.equals(id + ":charge"));
            SagaInstance stored = tables.store(database().pooled()).find(id).orElseThrow();
            assertThat(stored.owner()).as("a finished saga has no owner").isNull();
        }
    }
}
