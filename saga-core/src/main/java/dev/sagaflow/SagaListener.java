package dev.sagaflow;

/**
 * Receives an event for every transition of every saga instance the orchestrator drives, in order
 * per instance, on the thread that made the transition. Listeners must be quick and thread-safe.
 * An exception thrown by a listener is caught and logged; it never changes what the saga does.
 * Alert on {@link SagaEventType#COMPENSATION_GAVE_UP} and {@link SagaEventType#SAGA_FAILED}.
 */
@FunctionalInterface
public interface SagaListener {
    void onEvent(SagaEvent event);
}
