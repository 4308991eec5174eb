package dev.sagaflow.jdbc.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sagaflow.SagaOrchestrator;
import dev.sagaflow.SagaStatus;
import dev.sagaflow.StepStatus;
import dev.sagaflow.jdbc.JdbcSagaStore;
import dev.sagaflow.jdbc.support.TestDatabase;
import dev.sagaflow.store.SagaInstance;
import dev.sagaflow.store.SagaQuery;
import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A child JVM dies inside a local step, before or just after its transaction commits; a restarted
 * orchestrator then finds neither the work nor the checkpoint, or both, and finishes the saga with
 * the work applied exactly once.
 */
abstract class AbstractLocalStepCrashTest {
    final String orderId = UUID.randomUUID().toString();
    JdbcSagaStore store;

    abstract TestDatabase database();

    String prefix() {
        return "lcrash_" + database().name().toLowerCase() + "_";
    }

    @BeforeEach
    void createTables() {
        store = JdbcSagaStore.builder(database().pooled()).tablePrefix(prefix()).createSchemaIfMissing(true).build();
        database().execute(LocalOrderSaga.createTableSql(prefix()));
        database().deleteRows(prefix());
        database().execute("DELETE FROM " + LocalOrderSaga.ordersTable(prefix()));
    }

    @Test
    void a_crash_between_the_work_and_the_checkpoint_leaves_neither_and_the_step_runs_once_on_recovery()
            throws Exception {
        crashChild("in-work");

        SagaInstance crashed = onlyInstance();
        assertThat(crashed.step("record-order").status()).isEqualTo(StepStatus.RUNNING);
        assertThat(LocalOrderSaga.rows(database().pooled(), prefix(), orderId)).as("the work rolled back").isZero();

        recover();

        assertThat(store.find(crashed.id()).orElseThrow().status()).isEqualTo(SagaStatus.COMPLETED);
        assertThat(LocalOrderSaga.rows(database().pooled(), prefix(), orderId)).isEqualTo(1);
    }

    @Test
    void a_crash_just_after_the_commit_leaves_both_and_the_step_is_not_run_again() throws Exception {
        crashChild("after-commit");

        SagaInstance crashed = onlyInstance();
        assertThat(crashed.step("record-order").status()).isEqualTo(StepStatus.SUCCEEDED);
        assertThat(crashed.step("charge").status()).isEqualTo(StepStatus.RUNNING);
        assertThat(LocalOrderSaga.rows(database().pooled(), prefix(), orderId)).isEqualTo(1);

        recover();

        assertThat(store.find(crashed.id()).orElseThrow().status()).isEqualTo(SagaStatus.COMPLETED);
        assertThat(LocalOrderSaga.rows(database().pooled(), prefix(), orderId)).as("not inserted twice").isEqualTo(1);
    }

    private void crashChild(String mode) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // Surefire may hide the real class path behind a manifest-only jar; it publishes it here.
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Process child = new ProcessBuilder(List.of(java, "-cp", classPath, LocalStepCrashChild.class.getName(),
                database().name(), prefix(), mode, orderId))
                .redirectErrorStream(true).redirectOutput(new File("target/local-step-crash-" + mode + ".log"))
                .start();
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("child exited").isTrue();
        assertThat(child.exitValue()).as("child died at the crash point (see target/local-step-crash-*.log)")
                .isEqualTo(LocalStepCrashChild.HALTED);
    }

    private SagaInstance onlyInstance() {
        List<SagaInstance> instances = store.query(SagaQuery.all().sagaName("local-order"));
        assertThat(instances).hasSize(1);
        return instances.get(0);
    }

    /** A restarted node (same id) resumes the instance; waits until the store shows it finished. */
    private void recover() throws InterruptedException {
        var saga = LocalOrderSaga.definition(prefix(), order -> { });
        try (SagaOrchestrator orchestrator = SagaOrchestrator.builder(store).register(saga)
                .nodeId("local-crash-node").build()) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (onlyInstance().status().isLive() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
        }
    }
}
