package dev.sagaflow.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sagaflow.SagaDefinition;
import dev.sagaflow.SagaExecution;
import dev.sagaflow.SagaOrchestrator;
import dev.sagaflow.SagaStatus;
import dev.sagaflow.StepStatus;
import dev.sagaflow.fixtures.Ledger;
import dev.sagaflow.fixtures.TestSagas;
import dev.sagaflow.fixtures.Trail;
import dev.sagaflow.jdbc.support.TestDatabase;
import dev.sagaflow.store.SagaInstance;
import dev.sagaflow.testing.SagaTestKit;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A node dies in the middle of a step or of a compensation, on a database store: a new node over the same
 * store resumes the saga from what was committed, runs the interrupted attempt again with the same idempotency
 * key, and finishes. One subclass per store configuration (group commit included), so that the durability
 * contract is checked in every mode: a step is marked RUNNING durably before its action runs.
 */
abstract class AbstractJdbcCrashTest {
    private final Ledger ledger = new Ledger();
    private final List<String> keysSeen = new CopyOnWriteArrayList<>();
    private SagaTestKit kit;
    private String sagaName;

    static final String PREFIX = "sft_crash_";
    private static final Set<String> EMPTIED = ConcurrentHashMap.newKeySet();

    /** The store under test, in tables with {@link #PREFIX}. */
    abstract JdbcSagaStore store();

    /** The database it is on. */
    abstract TestDatabase database();

    @BeforeEach
    void openKit() {
        if (EMPTIED.add(database().name())) {
            // Once per run, so that runs do not pile up rows.
            database().deleteRows(PREFIX);
        }
        kit = SagaTestKit.over(store());
        sagaName = "crash-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private SagaDefinition<Trail> hangingOnce(String hangingStep, boolean inCompensation) {
        return TestSagas.hangingOnce(sagaName, hangingStep, inCompensation, ledger, keysSeen);
    }

    @Test
    void a_node_that_dies_in_the_middle_of_a_step_is_resumed_from_the_store_with_the_same_idempotency_key() {
        SagaDefinition<Trail> saga = hangingOnce("s2", false);
        String node = "node-" + sagaName;
        SagaOrchestrator first = kit.orchestrator().nodeId(node).register(saga).build();
        SagaExecution<Trail> execution = first.start(saga, Trail.of("t"));
        assertThat(kit.store().find(execution.sagaId()).orElseThrow().step("s2").status())
                .isEqualTo(StepStatus.RUNNING);

        SagaTestKit.crash(first);
        SagaOrchestrator second = kit.orchestrator().nodeId(node).register(saga).build();

        SagaInstance stored = kit.store().find(execution.sagaId()).orElseThrow();
        assertThat(stored.status()).isEqualTo(SagaStatus.COMPLETED);
        assertThat(ledger.calls()).containsExactly("do s1", "do s2", "do s2", "do s3");
        assertThat(keysSeen).containsExactly(execution.sagaId() + ":s2#1", execution.sagaId() + ":s2#2");
        assertThat(stored.step("s2").mayHaveTakenEffect()).isTrue();
        second.close();
    }

    @Test
    void a_node_that_dies_in_the_middle_of_a_compensation_is_resumed_and_finishes_compensating() {
        SagaDefinition<Trail> saga = hangingOnce("s2", true);
        kit.faults().failActionAlways("s3", new IllegalStateException("no"));
        String node = "node-" + sagaName;
        SagaOrchestrator first = kit.orchestrator().nodeId(node).register(saga).build();
        SagaExecution<Trail> execution = first.start(saga, Trail.of("t"));
        assertThat(kit.store().find(execution.sagaId()).orElseThrow().status()).isEqualTo(SagaStatus.COMPENSATING);

        SagaTestKit.crash(first);
        SagaOrchestrator second = kit.orchestrator().nodeId(node).register(saga).build();

        assertThat(kit.store().find(execution.sagaId()).orElseThrow().status()).isEqualTo(SagaStatus.COMPENSATED);
        assertThat(ledger.calls()).containsExactly("do s1", "do s2", "undo s2", "undo s2", "undo s1");
        assertThat(keysSeen).containsExactly(execution.sagaId() + ":s2:compensation#1",
                execution.sagaId() + ":s2:compensation#2");
        second.close();
    }
}
