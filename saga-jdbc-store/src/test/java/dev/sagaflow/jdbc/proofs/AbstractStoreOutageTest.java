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
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The database goes away while sagas are in the middle of a step, and comes back. The store is
 * built on an {@link OutageDataSource} that refuses connections while it is down; the participants
 * keep their own database. Every saga's next write fails during the outage; the runtime must keep
 * it, retry it with backoff, log why, and finish every saga once the database is back, with each
 * command applied once. Starting a saga during the outage fails at once with a clear exception and
 * writes nothing. The outage is either short (leases far from running out) or longer than the lease,
 * so that this node's own recovery finds its leases expired when the database returns.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AbstractStoreOutageTest {
    private static final Duration LIMIT = Duration.ofSeconds(60);
    private static final int SAGAS = 12;

    private ProofTables tables;

    abstract TestDatabase database();

    @BeforeAll
    void createTables() {
        tables = ProofTables.create(database(), "outage");
    }

    @AfterAll
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
                                + " WHERE node = ? AND step = 'charge' AND attempt > 1", node));
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
