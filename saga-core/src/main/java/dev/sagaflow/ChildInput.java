package dev.sagaflow;

/**
 * Builds the data a child saga starts with from its parent's data (see
 * {@link SagaDefinition.StepBuilder#child(SagaDefinition, ChildInput, ReplyMerger)}). It may run more than once
 * for one step (a retried or resumed attempt), and only the first result starts the child, so it must not have
 * effects of its own. Returning {@code null} or throwing fails the attempt as an action's failure would.
 *
 * @param <D> the parent saga's data type
 * @param <C> the child saga's data type
 */
@FunctionalInterface
public interface ChildInput<D, C> {
    C input(D parentData, StepContext context) throws Exception;
}
