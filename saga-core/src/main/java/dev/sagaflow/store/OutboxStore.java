package dev.sagaflow.store;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A store with a transactional outbox: the command messages of a write ({@link InstanceWrite#outbox()})
 * are added in the write's own transaction, and relays take them from here to a broker. Several relays
 * (one per node) share the outbox: a message is claimed by one relay at a time, under a lease on the
 * store's clock; messages of one saga instance are handed out in the order they were written, the next
 * only once the previous one is sent or failed. Implementations must be thread-safe.
 */
public interface OutboxStore extends SagaStore {

    /**
     * Claims up to {@code limit} pending messages for {@code relay}, oldest first: for each instance, only its
     * oldest pending message, and only if no older message of that instance is still pending or claimed. A
     * message stays claimed for {@code lease}; after that another relay may claim it again (the first relay
     * is presumed dead), so a message may be sent more than once.
     */
    List<OutboxMessage> claimOutbox(String relay, Duration lease, int limit);

    /**
     * Marks a message sent once the broker confirmed it.
     *
     * @return {@code false} if the message is no longer claimed by {@code relay} (its lease ran out and
     *     another relay took it); it was sent anyway, and may be sent again
     */
    boolean markSent(String messageId, String relay);

    /**
     * Records that the broker refused the message for good (a poison message): it is kept with the reason
     * and never sent again unless an operator retries it ({@link #retryOutbox(String)}).
     *
     * @return {@code false} if the message is no longer claimed by {@code relay}
     */
    boolean markFailed(String messageId, String relay, String reason);

    /** Messages the broker refused for good, oldest first, with their reasons. */
    List<FailedMessage> failedOutbox(int limit);

    /**
     * Puts a failed message back in line to be sent.
     *
     * @return {@code false} if there is no failed message with that id
     */
    boolean retryOutbox(String messageId);

    /** Deletes up to {@code limit} messages sent before {@code sentBefore}; returns how many. */
    int purgeSentOutbox(Instant sentBefore, int limit);

    /**
     * A message the broker refused for good.
     *
     * @param message the message
     * @param reason why the broker refused it
     * @param failedAt when it was marked failed, on the store's clock
     */
    record FailedMessage(OutboxMessage message, String reason, Instant failedAt) {
    }
}
