package dev.sagaflow.micrometer.internal;

import dev.sagaflow.SagaEvent;
import dev.sagaflow.SagaListener;
import dev.sagaflow.micrometer.SagaflowMetrics;

/** Counts the transitions that are counters: retries scheduled and replies rejected. */
public final class TransitionCounters implements SagaListener {
    private static final String UNKNOWN = "unknown";
    private final Meters meters;

    public TransitionCounters(Meters meters) {
        this.meters = meters;
    }

    @Override
    public void onEvent(SagaEvent event) {
        switch (event.type()) {
            case STEP_RETRY_SCHEDULED -> retry(event, "action");
            case COMPENSATION_RETRY_SCHEDULED -> retry(event, "compensation");
            case REPLY_REJECTED -> meters.count(SagaflowMetrics.REPLY_REJECTED,
                    "Replies for a step that was not waiting for one", "saga", orUnknown(event.sagaName()),
                    "step", orUnknown(event.step()));
            default -> {
            }
        }
    }

    private void retry(SagaEvent event, String phase) {
        meters.count(SagaflowMetrics.STEP_RETRIES, "Retries scheduled", "saga", event.sagaName(), "step",
                event.step(), "phase", phase);
    }

    private static String orUnknown(String value) {
        return value == null ? UNKNOWN : value;
    }

    @Override
    public String toString() {
        return "SagaflowMetrics.TransitionCounters";
    }
}
