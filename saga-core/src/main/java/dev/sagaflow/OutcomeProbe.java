package dev.sagaflow;

/**
 * Asks a participant whether a step's action took effect, when the runtime cannot know: its attempt timed out, or
 * a crash lost its answer (see {@link SagaDefinition.StepBuilder#probe(OutcomeProbe)}). Asked before the step is
 * retried or compensated; its answer spares a needless compensation or a needless retry. It must not change
 * anything; it may run more than once. An exception counts as {@link ProbeOutcome#UNKNOWN}.
 *
 * @param <D> the saga data type
 */
@FunctionalInterface
public interface OutcomeProbe<D> {
    ProbeOutcome probe(D data, StepContext context) throws Exception;
}
