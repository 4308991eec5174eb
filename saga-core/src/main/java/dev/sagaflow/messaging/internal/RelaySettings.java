package dev.sagaflow.messaging.internal;

import java.time.Duration;
import java.util.concurrent.Executor;

/**
 * An {@link dev.sagaflow.messaging.OutboxRelay}'s settings, as its builder checked them. Immutable.
 *
 * @param relayId the relay's id, under which it claims messages
 * @param batchSize the most messages it holds (claims and sends) at once
 * @param lease how long a claim holds on the store's clock
 * @param pollInterval how long it waits when there is nothing to send
 * @param initialBackoff the first pause after a failed round
 * @param maxBackoff the longest pause after failed rounds
 * @param shutdownTimeout how long {@code close()} waits for the round in progress
 * @param executor the host's executor that runs the relay's loop, or {@code null} for a thread of its own
 */
public record RelaySettings(String relayId, int batchSize, Duration lease, Duration pollInterval,
        Duration initialBackoff, Duration maxBackoff, Duration shutdownTimeout, Executor executor) {
}
