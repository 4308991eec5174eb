package dev.sagaflow.micrometer.internal;

import dev.sagaflow.BusinessRejection;
import dev.sagaflow.StepContext;
import dev.sagaflow.micrometer.SagaflowMetrics;
import dev.sagaflow.spi.AttemptObserver;
import io.micrometer.observation.Observation;

/**
 * One {@code sagaflow.step.execution} observation per attempt, a child of its saga's observation when this node
 * follows the saga, opened (made current) on the handler's thread while the handler runs.
 */
public final class StepObservations implements AttemptObserver {
    private final Meters meters;

    public StepObservations(Meters meters) {
        this.meters = meters;
    }

    @Override
    public Scope attemptStarting(StepContext context) {
        if (meters.observations().isNoop()) {
            return Scope.NOOP;
        }
        String phase = context.isCompensation() ? "compensation" : "action";
        Observation observation = Observation.createNotStarted(SagaflowMetrics.STEP_EXECUTION, meters.observations())
                .contextualName(phase + " " + context.stepName())
                .lowCardinalityKeyValue("saga", context.sagaName())
                .lowCardinalityKeyValue("step", context.stepName())
                .lowCardinalityKeyValue("phase", phase)
                .highCardinalityKeyValue("sagaflow.saga.id", context.sagaId())
                .highCardinalityKeyValue("sagaflow.step.attempt", Integer.toString(context.attempt()))
                .highCardinalityKeyValue("sagaflow.idempotency_key", context.idempotencyKey());
        Observation parent = meters.sagaObservation(context.sagaId());
        if (parent != null) {
            observation.parentObservation(parent);
        }
        observation.start();
        Observation.Scope scope = observation.openScope();
        return new Scope() {
            @Override
            public void handlerReturned() {
                scope.close();
            }

            @Override
            public void attemptEnded(Throwable error) {
                if (error == null) {
                    observation.lowCardinalityKeyValue("outcome", "success");
                } else {
                    observation.lowCardinalityKeyValue("outcome",
                            error instanceof BusinessRejection ? "rejection" : "failure");
                    observation.error(error);
                }
                observation.stop();
            }
        };
    }

    @Override
    public String toString() {
        return "SagaflowMetrics.StepObservations";
    }
}
