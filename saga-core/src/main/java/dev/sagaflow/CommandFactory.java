package dev.sagaflow;

/**
 * Builds the command a step sends to a participant through the store's transactional outbox (see
 * {@link SagaDefinition.StepBuilder#send(String, CommandFactory)}): a plain object the saga's codec writes as the
 * message body. It runs before the checkpoint that records the step as sent, so it must not have effects of its
 * own; a thrown exception fails the attempt as an action's would.
 *
 * @param <D> the saga data type
 */
@FunctionalInterface
public interface CommandFactory<D> {
    Object command(D data, StepContext context) throws Exception;
}
