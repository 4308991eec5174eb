package dev.sagaflow.jdbc.support;

import dev.sagaflow.SagaEventType;
import dev.sagaflow.SagaStatus;
import dev.sagaflow.StepStatus;
import dev.sagaflow.store.HistoryEntry;
import dev.sagaflow.store.SagaData;
import dev.sagaflow.store.SagaInstance;
import dev.sagaflow.store.StepState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Saga instances for the JDBC store's own tests, and the transitions of a happy saga as the runtime
 * would write them: one insert that starts step 1, then one update per step.
 */
public final class Instances {
    /** Millisecond precision, like the compatibility suite; the JDBC tests add finer instants themselves. */
    public static final Instant T0 = Instant.parse("2024-05-01T10:15:30.123Z");

    private Instances() {
    }

    /** A new RUNNING instance of {@code steps} steps whose first step is RUNNING, version 1. */
    public static SagaInstance started(String sagaName, String fingerprint, int steps) {
        List<StepState> states = new ArrayList<>();
        for (int i = 1; i <= steps; i++) {
            states.add(i == 1 ? new StepState("step-1", StepStatus.RUNNING, 1, 0, false, T0, null, null, null)
                    : StepState.pending("step-" + i));
        }
        return new SagaInstance(UUID.randomUUID().toString(), sagaName, 1, fingerprint, null, SagaStatus.RUNNING,
                SagaData.ofJson("{\"orderId\":\"o-1\",\"cents\":1250}"), states, T0, T0, null, null, null, 1, null);
    }

    /** The history line the insert of {@code instance} writes. */
    public static HistoryEntry startedEntry(SagaInstance instance) {
        return new HistoryEntry(instance.id(), instance.createdAt(), SagaEventType.SAGA_STARTED, "step-1", 1, null);
    }

    /**
     * The write that ends step {@code done} (1-based) of {@code current}: it succeeds, and the next
     * step starts, or, after the last step, the saga completes. Version one higher.
     */
    public static SagaInstance stepSucceeded(SagaInstance current, int done) {
        Instant at = current.updatedAt().plusMillis(10);
        List<StepState> steps = new ArrayList<>(current.steps());
        StepState finished = steps.get(done - 1);
        steps.set(done - 1, finished.with(StepStatus.SUCCEEDED, finished.attempts(), 0, false, finished.startedAt(), at,
                null, null));
        boolean last = done == steps.size();
        if (!last) {
            steps.set(done, steps.get(done).with(StepStatus.RUNNING, 1, 0, false, at, null, null, null));
        }
        return new SagaInstance(current.id(), current.sagaName(), current.sagaVersion(), current.fingerprint(),
                current.idempotencyKey(), last ? SagaStatus.COMPLETED : SagaStatus.RUNNING,
                SagaData.ofJson("{\"orderId\":\"o-1\",\"cents\":1250,\"done\":" + done + "}"), steps,
                current.createdAt(), at, current.deadline(), current.owner(), current.leaseUntil(),
                current.version() + 1, null);
    }

    /** The history lines of {@link #stepSucceeded}: the step's success, and after the last step the saga's end. */
    public static List<HistoryEntry> stepSucceededEntries(SagaInstance next, int done) {
        HistoryEntry succeeded = new HistoryEntry(next.id(), next.updatedAt(), SagaEventType.STEP_SUCCEEDED,
                "step-" + done, 1, null);
        return done < next.steps().size() ? List.of(succeeded) : List.of(succeeded,
                new HistoryEntry(next.id(), next.updatedAt(), SagaEventType.SAGA_COMPLETED, null, 0, null));
    }
}
