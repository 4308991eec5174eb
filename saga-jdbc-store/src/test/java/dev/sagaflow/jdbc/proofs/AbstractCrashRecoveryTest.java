package dev.sagaflow.jdbc.proofs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sagaflow.SagaEventType;
import dev.sagaflow.SagaOrchestrator;
import dev.sagaflow.SagaStatus;
import dev.sagaflow.StepStatus;
import dev.sagaflow.jdbc.JdbcSagaStore;
import dev.sagaflow.jdbc.support.TestDatabase;
import dev.sagaflow.store.HistoryEntry;
import dev.sagaflow.store.SagaInstance;
import dev.sagaflow.store.StepState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Kills a JVM that runs sagas on the database with SIGKILL while a step's action (or, in the second
 * case, a compensation) is running, then resumes its instances from a new orchestrator in this JVM:
 * under the same node id, which claims them at once on start-up, or under another one, which claims
 * them once their lease has run out. Every instance must end COMPLETED or COMPENSATED with the right
 * effects, compensations newest first, and the step that was running when the process died must run
 * again with the same idempotency key (at least once, never lost).
 *
 * <p>The child ({@link CrashChild}) blocks inside the handler after the participant has applied the
 * command, so the command always took effect and the re-run is always a repeat delivery.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AbstractCrashRecoveryTest {
    private static final Duration LIMIT = Duration.ofSeconds(60);
    private static final int SAGAS = 4;

    private ProofTables tables;
    private JdbcSagaStore store;

    abstract TestDatabase database();

    enum Restart {
        /** The process comes back with the same node id and a long lease: it must not wait for the lease. */
        SAME_NODE(Duration.ofSeconds(60), Duration.ofMinutes(10)),
        /** Another node takes over once the dead node's 2 s lease has run out. */
        OTHER_NODE(Duration.ofSeconds(2), Duration.ofMillis(500));

        final Duration lease;
        final Duration poll;

        Restart(Duration lease, Duration poll) {
            this.lease = lease;
            this.poll = poll;
        }
    }

    @BeforeAll
    void createTables() {
        tables = ProofTables.create(database(), "crash");
        store = tables.store(database().pooled());
    }

    @AfterAll
    void dropTables() {
        if (tables != null) {
            tables.close();
        }
    }

    @ParameterizedTest
    @EnumSource(Restart.class)
    void an_action_running_when_the_process_is_killed_runs_again_with_the_same_idempotency_key(Restart restart)
            throws Exception {
        String deadNode = "crash-action-" + restart.name().toLowerCase();
        Killed killed = runChildAndKill(deadNode, "action", restart, SAGAS);

        for (String id : killed.blocked.keySet()) {
            SagaInstance atKill = killed.atKill.get(id);
            assertThat(atKill.status()).as("status of %s when killed", id).isEqualTo(SagaStatus.RUNNING);
            assertThat(atKill.step("charge").status()).isEqualTo(StepStatus.RUNNING);
            assertThat(atKill.owner()).isEqualTo(deadNode);
        }

        String node = restart == Restart.SAME_NODE ? deadNode : deadNode + "-successor";
        try (SagaOrchestrator orchestrator = resume(node, restart)) {
            awaitTerminal(killed);
        }

        for (Map.Entry<String, Boolean> saga : killed.started.entrySet()) {
            String id = saga.getKey();
            boolean rejected = saga.getValue();
            SagaInstance end = store.find(id).orElseThrow();
            List<String> expected = new ArrayList<>(List.of("do reserve #1 child/" + deadNode,
                    "do charge #1 child/" + deadNode, "do charge #2 parent/" + node, "do confirm #1 parent/" + node));
            if (rejected) {
                expected.addAll(List.of("undo charge #1 parent/" + node, "undo reserve #1 parent/" + node));
            }
            assertThat(end.status()).as("end of %s", id).isEqualTo(rejected ? SagaStatus.COMPENSATED : SagaStatus.COMPLETED);
            assertThat(tables.calls(id)).as("calls of %s", id).containsExactlyElementsOf(expected);
            assertThat(tables.callKeys(id, "charge", "do")).as("the re-run repeats the idempotency key")
                    .containsExactly(id + ":charge", id + ":charge");
            assertThat(tables.effects(id)).as("effects of %s", id).containsExactlyInAnyOrderElementsOf(rejected
                    ? List.of("do reserve x1", "do charge x2", "undo charge x1", "undo reserve x1")
                    : List.of("do reserve x1", "do charge x2", "do confirm x1"));
            StepState charge = end.step("charge");
            assertThat(charge.attempts()).isEqualTo(2);
            assertThat(charge.mayHaveTakenEffect()).as("a step found RUNNING may have taken effect").isTrue();
            assertResumedOnce(id, "charge", 2, killed.atKill.get(id), restart);
        }
        assertUntouched(killed);
    }

    @ParameterizedTest
    @EnumSource(Restart.class)
    void a_compensation_running_when_the_process_is_killed_runs_again_with_the_same_idempotency_key(Restart restart)
            throws Exception {
        String deadNode = "crash-undo-" + restart.name().toLowerCase();
        Killed killed = runChildAndKill(deadNode, "compensation", restart, SAGAS - 1);

        for (String id : killed.blocked.keySet()) {
            SagaInstance atKill = killed.atKill.get(id);
            assertThat(atKill.status()).as("status of %s when killed", id).isEqualTo(SagaStatus.COMPENSATING);
            assertThat(atKill.step("charge").status()).isEqualTo(StepStatus.COMPENSATING);
            assertThat(atKill.step("confirm").status()).isEqualTo(StepStatus.FAILED);
            assertThat(atKill.owner()).isEqualTo(deadNode);
        }

        String node = restart == Restart.SAME_NODE ? deadNode : deadNode + "-successor";
        try (SagaOrchestrator orchestrator = resume(node, restart)) {
            awaitTerminal(killed);
        }

        for (String id : killed.started.keySet()) {
            SagaInstance end = store.find(id).orElseThrow();
            assertThat(end.status()).as("end of %s", id).isEqualTo(SagaStatus.COMPENSATED);
            assertThat(tables.calls(id)).as("calls of %s", id).containsExactly(
                    "do reserve #1 child/" + deadNode,
                    "do charge #1 child/" + deadNode,
                    "do confirm #1 child/" + deadNode,
                    "undo charge #1 child/" + deadNode,
                    "undo charge #2 parent/" + node,
                    "undo reserve #1 parent/" + node);
            assertThat(tables.callKeys(id, "charge", "undo")).as("the re-run repeats the idempotency key")
                    .containsExactly(id + ":charge:compensation", id + ":charge:compensation");
            assertThat(tables.effects(id)).as("effects of %s", id).containsExactlyInAnyOrder(
                    "do reserve x1", "do charge x1", "undo charge x2", "undo reserve x1");
            assertThat(end.step("charge").compensationAttempts()).isEqualTo(2);
            assertThat(end.step("charge").status()).isEqualTo(StepStatus.COMPENSATED);
            assertThat(end.step("reserve").status()).isEqualTo(StepStatus.COMPENSATED);
            assertThat(end.step("confirm").status()).as("a rejected step is not compensated").isEqualTo(StepStatus.FAILED);
            assertResumedOnce(id, "charge", 2, killed.atKill.get(id), restart);
        }
        assertUntouched(killed);
    }

    // ---------------------------------------------------------------- the crash

    /** What the child did before it was killed, and the stored instances right after. */
    private record Killed(String doneId, SagaInstance doneAtKill, Map<String, Boolean> started,
            Map<String, String> blocked, Map<String, SagaInstance> atKill) {
    }

    private Killed runChildAndKill(String node, String mode, Restart restart, int count) throws Exception {
        try (ChildProcess child = ChildProcess.start(CrashChild.class, database().name().toLowerCase() + "-" + node,
                database().name(), tables.prefix(), node, mode, String.valueOf(restart.lease.toMillis()),
                String.valueOf(count))) {
            String doneId = child.await("DONE ", LIMIT).split(" ")[1];
            Map<String, Boolean> started = new LinkedHashMap<>();
            for (int i = 0; i < count; i++) {
                String[] line = child.await("STARTED ", LIMIT).split(" ");
                started.put(line[1], Boolean.parseBoolean(line[2]));
            }
            Map<String, String> blocked = new LinkedHashMap<>();
            for (int i = 0; i < count; i++) {
                String[] line = child.await("BLOCKED ", LIMIT).split(" ");
                blocked.put(line[1], line[2] + " " + line[3]);
            }
            assertThat(blocked.keySet()).containsExactlyInAnyOrderElementsOf(started.keySet());

            child.kill();

            Map<String, SagaInstance> atKill = new LinkedHashMap<>();
            for (String id : started.keySet()) {
                atKill.put(id, store.find(id).orElseThrow());
            }
            return new Killed(doneId, store.find(doneId).orElseThrow(), started, blocked, atKill);
        }
    }

    private SagaOrchestrator resume(String node, Restart restart) {
        Participant participant = new Participant(database().pooled(), tables, node, "parent");
        return SagaOrchestrator.builder(store).register(OrderSaga.definition(participant, OrderSaga.Pause.NONE))
                .nodeId(node).leaseDuration(restart.lease).pollInterval(restart.poll).build();
    }

    private void awaitTerminal(Killed killed) {
        Await.until("every instance of the killed process is COMPLETED or COMPENSATED", LIMIT,
                () -> killed.started.keySet().stream()
                        .allMatch(id -> store.find(id).orElseThrow().status().isTerminal()),
                () -> killed.started.keySet().stream().map(id -> store.find(id).orElseThrow()).toList());
    }

    // ---------------------------------------------------------------- assertions

    /**
     * The instance was resumed once, at the given step and attempt; on the same node before the dead
     * process's lease ran out (at start-up), on another node only after.
     */
    private void assertResumedOnce(String id, String step, int attempt, SagaInstance atKill, Restart restart) {
        List<HistoryEntry> resumed = store.history(id).stream()
                .filter(e -> e.type() == SagaEventType.STEP_RESUMED).toList();
        assertThat(resumed).as("STEP_RESUMED of %s", id).hasSize(1);
        assertThat(resumed.get(0).step()).isEqualTo(step);
        assertThat(resumed.get(0).attempt()).isEqualTo(attempt);
        Instant leaseUntil = atKill.leaseUntil();
        if (restart == Restart.SAME_NODE) {
            assertThat(resumed.get(0).at()).as("resumed at once, not after the lease").isBefore(leaseUntil);
        } else {
            assertThat(resumed.get(0).at()).as("claimed only after the lease ran out").isAfter(leaseUntil);
        }
    }

    /** The saga that had ended before the crash was not touched by the restart. */
    private void assertUntouched(Killed killed) {
        SagaInstance done = store.find(killed.doneId).orElseThrow();
        assertThat(done.status()).isEqualTo(SagaStatus.COMPLETED);
        assertThat(done.version()).isEqualTo(killed.doneAtKill.version()).isEqualTo(4);
        assertThat(tables.calls(killed.doneId)).hasSize(3).allMatch(call -> call.contains(" child/"));
        assertThat(store.history(killed.doneId)).extracting(HistoryEntry::type)
                .doesNotContain(SagaEventType.STEP_RESUMED);
    }
}
