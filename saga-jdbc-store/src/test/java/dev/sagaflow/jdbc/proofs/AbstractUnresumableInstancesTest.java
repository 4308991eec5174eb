package dev.sagaflow.jdbc.proofs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sagaflow.Saga;
import dev.sagaflow.SagaDefinition;
import dev.sagaflow.SagaEvent;
import dev.sagaflow.SagaEventType;
import dev.sagaflow.SagaInfo;
import dev.sagaflow.SagaOrchestrator;
import dev.sagaflow.SagaStatus;
import dev.sagaflow.StepAction;
import dev.sagaflow.jdbc.JdbcSagaStore;
import dev.sagaflow.jdbc.proofs.OrderSaga.Order;
import dev.sagaflow.jdbc.support.TestDatabase;
import dev.sagaflow.store.SagaInstance;
import dev.sagaflow.testing.RecordingListener;
import dev.sagaflow.testing.SagaTestKit;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A node dies leaving live instances in the store; by the time another node takes over, one
 * instance's data no longer reads as its type (someone changed it in SQL), one belongs to a saga the
 * new node does not register, and one to a saga whose steps changed under the same name and
 * version. The new node must mark the unreadable one FAILED and say so (SAGA_FAILED), report each of
 * the other two once (INSTANCE_NOT_RESUMABLE) and leave them exactly as they were, and still finish
 * every other instance.
 */
abstract class AbstractUnresumableInstancesTest {
    private static final Duration LIMIT = Duration.ofSeconds(60);
    private static final String CORRUPT_DATA = "{\"ref\":\"order-0\",\"reject\":\"perhaps\"}";

    private final CountDownLatch hold = new CountDownLatch(1);
    private ExecutorService oldWorkers;
    private ProofTables tables;

    abstract TestDatabase database();

    @BeforeEach
    void createTables() {
        tables = ProofTables.create(database(), "unres");
        oldWorkers = Executors.newFixedThreadPool(8);
    }

    @AfterEach
    void dropTables() throws InterruptedException {
        hold.countDown();
        oldWorkers.shutdown();
        oldWorkers.awaitTermination(10, TimeUnit.SECONDS);
        tables.close();
    }

    @Test
    void a_new_node_fails_the_unreadable_instance_reports_the_unresumable_ones_untouched_and_finishes_the_rest()
            throws Exception {
        JdbcSagaStore store = tables.store(database().pooled());

        // Given a node that dies while six instances are in their first step
        CountDownLatch entered = new CountDownLatch(6);
        Participant oldParticipant = new Participant(database().pooled(), tables, "unres-old", "parent");
        SagaDefinition<Order> oldOrders = OrderSaga.definition(oldParticipant, context -> {
            entered.countDown();
            hold.await();
        });
        StepAction<String> blocking = (data, context) -> {
            entered.countDown();
            hold.await();
            return data;
        };
        StepAction<String> noop = (data, context) -> data;
        SagaDefinition<String> legacy = Saga.define("proof-legacy", String.class)
                .step("a").action(blocking).step("b").action(noop).build();
        SagaDefinition<String> changedBefore = Saga.define("proof-changed", String.class)
                .step("a").action(blocking).step("b").action(noop).build();
        SagaOrchestrator old = SagaOrchestrator.builder(store).register(oldOrders, legacy, changedBefore)
                .nodeId("unres-old").leaseDuration(Duration.ofSeconds(1)).pollInterval(Duration.ofMinutes(10))
                .executor(oldWorkers).build();
        String unreadable = old.start(oldOrders, new Order("order-0", false)).sagaId();
        String completing = old.start(oldOrders, new Order("order-1", false)).sagaId();
        String alsoCompleting = old.start(oldOrders, new Order("order-2", false)).sagaId();
        String compensating = old.start(oldOrders, new Order("order-3", true)).sagaId();
        String unregistered = old.start(legacy, "legacy data").sagaId();
        String changed = old.start(changedBefore, "changed data").sagaId();
        assertThat(entered.await(LIMIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        SagaTestKit.crash(old);

        // and data that no longer reads as an Order
        assertThat(tables.update("UPDATE " + tables.table("instances") + " SET data = '" + CORRUPT_DATA
                + "' WHERE id = ?", unreadable)).isEqualTo(1);
        SagaInstance unregisteredBefore = store.find(unregistered).orElseThrow();
        SagaInstance changedBeforeRow = store.find(changed).orElseThrow();
        List<String> all = List.of(unreadable, completing, alsoCompleting, compensating, unregistered, changed);
        Await.until("the dead node's leases have run out", LIMIT, () -> {
            Instant now = Instant.now();
            return all.stream().allMatch(id -> store.find(id).orElseThrow().leaseUntil().isBefore(now));
        });

        // When a new node takes over, without proof-legacy and with other steps for proof-changed v1
        RecordingListener events = new RecordingListener();
        Participant participant = new Participant(database().pooled(), tables, "unres-new", "parent");
        SagaDefinition<String> changedAfter = Saga.define("proof-changed", String.class)
                .step("a").action(noop).step("b").action(noop).step("c").action(noop).build();
        try (SagaOrchestrator node = SagaOrchestrator.builder(store)
                .register(OrderSaga.definition(participant, OrderSaga.Pause.NONE), changedAfter)
                .nodeId("unres-new").leaseDuration(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(300))
                .listener(events).build()) {
            Await.until("the readable orders have ended and the unreadable one is FAILED", LIMIT,
                    () -> List.of(completing, alsoCompleting, compensating, unreadable).stream()
                            .allMatch(id -> !store.find(id).orElseThrow().status().isLive()),
                    () -> List.of(completing, alsoCompleting, compensating, unreadable).stream()
                            .map(id -> store.find(id).orElseThrow()).toList());
            node.recover();
            node.recover();

            // Then
            assertThat(store.find(completing).orElseThrow().status()).isEqualTo(SagaStatus.COMPLETED);
            assertThat(store.find(alsoCompleting).orElseThrow().status()).isEqualTo(SagaStatus.COMPLETED);
            assertThat(store.find(compensating).orElseThrow().status()).isEqualTo(SagaStatus.COMPENSATED);
            for (String id : List.of(completing, alsoCompleting, compensating)) {
                assertThat(tables.callKeys(id, "reserve", "do")).as("reserve of %s, re-run", id)
                        .containsExactly(id + ":reserve", id + ":reserve");
            }

            SagaInstance failed = store.find(unreadable).orElseThrow();
            assertThat(failed.status()).isEqualTo(SagaStatus.FAILED);
            assertThat(failed.error()).contains("saga data cannot be read").contains("perhaps");
            assertThat(failed.data().json()).as("the unreadable data is kept for an operator").isEqualTo(CORRUPT_DATA);
            assertThat(failed.owner()).isNull();
            assertThat(events.events(unreadable)).extracting(SagaEvent::type).containsExactly(SagaEventType.SAGA_FAILED);
            SagaInfo info = node.find(unreadable).orElseThrow();
            assertThat(info.data()).isNull();
            assertThat(info.dataJson()).isEqualTo(CORRUPT_DATA);
            assertThat(tables.calls(unreadable)).as("nothing of the unreadable saga ran again")
                    .containsExactly("do reserve #1 parent/unres-old");

            assertThat(events.events(unregistered)).extracting(SagaEvent::type)
                    .containsExactly(SagaEventType.INSTANCE_NOT_RESUMABLE);
            assertThat(events.events(unregistered).get(0).detail()).contains("proof-legacy").contains("not registered");
            assertUntouched(store.find(unregistered).orElseThrow(), unregisteredBefore);

            assertThat(events.events(changed)).extracting(SagaEvent::type)
                    .containsExactly(SagaEventType.INSTANCE_NOT_RESUMABLE);
            assertThat(events.events(changed).get(0).detail()).contains("[a, b]").contains("[a, b, c]");
            assertUntouched(store.find(changed).orElseThrow(), changedBeforeRow);
        }
    }

    @Test
    void a_node_restarted_under_its_own_id_without_a_definition_lets_a_node_that_has_it_finish_the_instance()
            throws Exception {
        JdbcSagaStore store = tables.store(database().pooled());
        CountDownLatch entered = new CountDownLatch(1);
        StepAction<String> noop = (data, context) -> data;
        SagaDefinition<String> blockingLegacy = Saga.define("proof-legacy", String.class)
                .step("a").action((data, context) -> {
                    entered.countDown();
                    hold.await();
                    return data;
                })
                .step("b").action(noop).build();
        SagaOrchestrator old = SagaOrchestrator.builder(store).register(blockingLegacy).nodeId("unres-same")
                .leaseDuration(Duration.ofSeconds(30)).pollInterval(Duration.ofMinutes(10)).executor(oldWorkers).build();
        String legacyId = old.start(blockingLegacy, "legacy data").sagaId();
        assertThat(entered.await(LIMIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        SagaTestKit.crash(old);
        SagaInstance before = store.find(legacyId).orElseThrow();

        // When the node comes back under the same id, upgraded: it no longer registers proof-legacy
        RecordingListener events = new RecordingListener();
        SagaDefinition<String> other = Saga.define("proof-other", String.class).step("a").action(noop).build();
        try (SagaOrchestrator upgraded = SagaOrchestrator.builder(store).register(other).nodeId("unres-same")
                .leaseDuration(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300)).listener(events).build()) {
            // Then it reports the instance, leaves its state alone but does not keep its lease
            Await.until("the instance is reported", LIMIT, () -> !events.events(legacyId).isEmpty(), events::events);
            assertThat(events.events(legacyId)).extracting(SagaEvent::type)
                    .containsExactly(SagaEventType.INSTANCE_NOT_RESUMABLE);
            SagaInstance reported = store.find(legacyId).orElseThrow();
            assertThat(reported.owner()).isNull();
            assertThat(reported.version()).isEqualTo(before.version());
            assertThat(reported.steps()).isEqualTo(before.steps());
            assertThat(reported.data().json()).isEqualTo(before.data().json());

            // and a node not yet upgraded, which still registers it, takes it over and finishes it
            SagaDefinition<String> legacy = Saga.define("proof-legacy", String.class)
                    .step("a").action(noop).step("b").action(noop).build();
            try (SagaOrchestrator notUpgraded = SagaOrchestrator.builder(store).register(legacy)
                    .nodeId("unres-not-upgraded").build()) {
                Await.until("the legacy instance is finished", LIMIT,
                        () -> store.find(legacyId).orElseThrow().status() == SagaStatus.COMPLETED,
                        () -> store.find(legacyId).orElseThrow());
            }
        }
    }

    private static void assertUntouched(SagaInstance now, SagaInstance before) {
        assertThat(now.status()).isEqualTo(SagaStatus.RUNNING);
        assertThat(now.version()).isEqualTo(before.version());
        assertThat(now.owner()).isEqualTo(before.owner()).isEqualTo("unres-old");
        assertThat(now.leaseUntil()).isEqualTo(before.leaseUntil());
        assertThat(now.updatedAt()).isEqualTo(before.updatedAt());
        assertThat(now.data().json()).isEqualTo(before.data().json());
        assertThat(now.steps()).isEqualTo(before.steps());
    }
}
