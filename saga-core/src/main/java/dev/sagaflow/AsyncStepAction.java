package dev.sagaflow;

import java.util.concurrent.CompletionStage;

/**
 * An asynchronous step action or compensation: like {@link StepAction}, but the new data arrives
 * through a {@link CompletionStage}. A stage that completes exceptionally fails the attempt as a
 * thrown exception would; a stage that never completes is ended by the step's timeout.
 *
 * @param <D> the saga data type
 */
@FunctionalInterface
public interface AsyncStepAction<D> {
    CompletionStage<D> apply(D data, StepContext context) throws Exception;
}
