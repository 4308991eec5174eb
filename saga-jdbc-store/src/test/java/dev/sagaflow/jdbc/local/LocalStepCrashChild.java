package dev.sagaflow.jdbc.local;

import dev.sagaflow.SagaDefinition;
import dev.sagaflow.SagaEventType;
import dev.sagaflow.SagaOrchestrator;
import dev.sagaflow.jdbc.JdbcSagaStore;
import dev.sagaflow.jdbc.support.TestDatabase;

/**
 * Runs one local-order saga and dies abruptly ({@code Runtime.halt}: no shutdown hooks, no
 * cleanup, like SIGKILL) at the point named by its mode: {@code in-work} after the local step's
 * insert but before its transaction commits, {@code after-commit} right after the step's
 * checkpoint committed. Arguments: database, table prefix, mode, order id.
 */
public final class LocalStepCrashChild {
    static final int HALTED = 3;

    private LocalStepCrashChild() {
    }

    public static void main(String[] args) {
        TestDatabase database = TestDatabase.valueOf(args[0]);
        String prefix = args[1];
        String mode = args[2];
        JdbcSagaStore store = JdbcSagaStore.builder(database.dataSource()).tablePrefix(prefix).build();
        SagaDefinition<LocalOrderSaga.Order> saga = LocalOrderSaga.definition(prefix, order -> {
            if (mode.equals("in-work")) {
                Runtime.getRuntime().halt(HALTED);
            }
        });
        SagaOrchestrator orchestrator = SagaOrchestrator.builder(store).register(saga).nodeId("local-crash-node")
                .listener(event -> {
                    if (mode.equals("after-commit") && event.type() == SagaEventType.STEP_SUCCEEDED
                            && "record-order".equals(event.step())) {
                        Runtime.getRuntime().halt(HALTED);
                    }
                }).build();
        orchestrator.run(saga, new LocalOrderSaga.Order(args[3], 10));
        System.exit(1);
    }
}
