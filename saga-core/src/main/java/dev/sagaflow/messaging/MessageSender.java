package dev.sagaflow.messaging;

import dev.sagaflow.store.OutboxMessage;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Sends outbox messages to a broker: the SPI an {@link OutboxRelay} relays through. A broker module
 * implements it ({@code saga-rabbitmq}, {@code saga-kafka}); a test can implement it with a list.
 *
 * <p><b>Confirmation.</b> {@link #send} returns only once the broker has taken responsibility for the message
 * (a publisher confirm, an acknowledgement with {@code acks=all}); the relay marks the message sent only then.
 * A send that fails after the broker took the message (the confirm was lost) looks like a transient failure
 * and the message is sent again: delivery is at least once, and consumers deduplicate by {@link
 * OutboxMessage#IDEMPOTENCY_KEY_HEADER} or the message id.
 *
 * <p><b>Failures.</b> {@link MessageRejectedException} means the broker refused this message for good (a
 * poison message: no route, too large, not allowed): the relay records it as failed, for an operator, and
 * never sends it again on its own. Any other exception is transient (the broker is unreachable, the confirm
 * timed out or was negative): the relay keeps the message and sends it again after a backoff.
 *
 * <p><b>Time.</b> A send must end, confirmed or failed, well within half the relay's lease ({@link
 * OutboxRelay.Builder#lease}); a sender bounds its wait for a confirm with a timeout of its own.
 *
 * <p>Implementations must be thread-safe if several relays share one sender; one relay calls its sender
 * from one thread at a time.
 */
public interface MessageSender {

    /**
     * Sends one message and returns once the broker confirmed it.
     *
     * @throws MessageRejectedException if the broker refused the message for good (it will not be sent again
     *     unless an operator retries it)
     * @throws Exception any other failure: the message may or may not have reached the broker, and will be
     *     sent again later
     */
    void send(OutboxMessage message) throws Exception;

    /**
     * Sends several messages, each of another saga instance, in any order or concurrently, and returns once
     * every one was confirmed or failed. A broker module overrides this to publish them all before it waits
     * for the confirms; the default sends them one by one with {@link #send}, and stops at an interrupt.
     *
     * @return the failure of each message that was not confirmed, by message id ({@link
     *     MessageRejectedException} for one the broker refused for good); a message absent from the map was
     *     confirmed. Never {@code null}.
     */
    default Map<String, Exception> sendAll(List<OutboxMessage> messages) {
        Map<String, Exception> failures = new HashMap<>();
        InterruptedException interrupted = null;
        for (OutboxMessage message : messages) {
            if (interrupted != null) {
                failures.put(message.id(), interrupted);
                continue;
            }
            try {
                send(message);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                interrupted = e;
                failures.put(message.id(), e);
            } catch (Exception e) {
                failures.put(message.id(), e);
            }
        }
        return failures;
    }
}
