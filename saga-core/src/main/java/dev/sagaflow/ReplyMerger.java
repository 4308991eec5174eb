package dev.sagaflow;

/**
 * Merges the payload of an awaiting step's success reply into the saga data. Returning
 * {@code null} fails the step.
 *
 * @param <D> the saga data type
 * @param <R> the reply payload type
 */
@FunctionalInterface
public interface ReplyMerger<D, R> {
    D merge(D data, R reply) throws Exception;
}
