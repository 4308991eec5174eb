package dev.sagaflow.messaging;

import dev.sagaflow.internal.Checks;
import dev.sagaflow.messaging.internal.Backoff;
import dev.sagaflow.messaging.internal.Relay;
import dev.sagaflow.messaging.internal.RelaySettings;
import dev.sagaflow.store.OutboxStore;
import java.time.Duration;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.Executor;

/**
 * Takes the command messages that saga checkpoints wrote into an {@link OutboxStore}'s outbox to a broker
 * through a {@link MessageSender}, and marks each sent only after the broker confirmed it. Run one per node:
 * relays on several nodes share the outbox, and the store's claims (a lease on the store's clock) keep two relays
 * from sending the same message at the same time.
 *
 * <pre>{@code
 * OutboxRelay relay = OutboxRelay.builder(store, sender).build();
 * relay.start();     // a thread of its own, "sagaflow-outbox-relay-<id>"
 * ...
 * relay.close();     // stops; what it did not send, another relay (or this one after a restart) sends
 * }</pre>
 *
 * <p><b>What it guarantees.</b>
 * <ul>
 *   <li><b>At least once.</b> A message is marked sent only after the sender returned, that is after the
 *       broker confirmed it. A relay that dies after the broker took a message and before it marked it sent
 *       leaves the message claimed; once the claim runs out ({@link Builder#lease}) a relay sends it again, with
 *       the same message id and idempotency key. A confirm that is lost looks like a failure and the message is
 *       sent again too. Participants therefore deduplicate by {@link
 *       dev.sagaflow.store.OutboxMessage#IDEMPOTENCY_KEY_HEADER}.</li>
 *   <li><b>In order per saga instance.</b> The store hands out a message only when every older message of its
 *       instance was sent or failed, so one instance's commands reach the broker in the order they were
 *       written. Messages of different instances are sent in any order, and concurrently.</li>
 *   <li><b>One sender at a time.</b> A relay claims a message before it sends it, and sends a claimed message
 *       only while more than half of its claim is left (timed on this JVM's monotonic clock from before the
 *       claim was asked for): a relay that stalled after claiming does not send late, and another relay claims
 *       the message only after the claim ran out. This holds as long as a send ends within half the lease
 *       (senders time out their confirms well before: 10 s by default in the broker modules).</li>
 *   <li><b>Poison messages end.</b> A message the broker refuses for good ({@link MessageRejectedException}) is
 *       marked failed with the reason, logged at ERROR, listed by {@link OutboxStore#failedOutbox(int)}, and not
 *       sent again unless an operator calls {@link OutboxStore#retryOutbox(String)}; the instance's next message
 *       is sent after it.</li>
 *   <li><b>Outages wait.</b> While the broker or the store is unreachable the relay keeps its messages and
 *       backs off ({@link Builder#backoff}: doubling, with jitter), logging one WARN per outage and one INFO when
 *       it relays again; nothing is lost and nothing is marked.</li>
 * </ul>
 *
 * <p><b>Threads.</b> {@link #start()} runs the relay's loop on a daemon thread of its own, or, with {@link
 * Builder#executor}, as one long task of the host's executor (it holds one of its threads until closed). The
 * loop polls the outbox every {@link Builder#pollInterval} while there is nothing to send, and goes on at once
 * while there is; {@link #wakeUp()} cuts a poll short. Thread-safe: rounds run one at a time.
 */
public final class OutboxRelay implements AutoCloseable {
    /** The default of {@link Builder#batchSize}. */
    public static final int DEFAULT_BATCH_SIZE = 100;
    /** The default of {@link Builder#lease}. */
    public static final Duration DEFAULT_LEASE = Duration.ofSeconds(30);
    /** The default of {@link Builder#pollInterval}. */
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMillis(200);
    /** The longest relay id, in characters. */
    public static final int MAX_RELAY_ID_LENGTH = 200;

    private final Relay relay;

    private OutboxRelay(Relay relay) {
        this.relay = relay;
    }

    /** A builder of a relay that takes messages from {@code store}'s outbox to {@code sender}. */
    public static Builder builder(OutboxStore store, MessageSender sender) {
        return new Builder(store, sender);
    }

    /** The id under which this relay claims messages. */
    public String relayId() {
        return relay.relayId();
    }

    /**
     * Starts the relay's loop.
     *
     * @throws IllegalStateException if it was started or closed before
     * @throws java.util.concurrent.RejectedExecutionException if the host's executor refused the loop
     */
    public void start() {
        relay.start();
    }

    /**
     * Runs one round on the calling thread: claims up to a batch of messages, sends those held, marks what the
     * broker confirmed or refused. For tests, and for hosts that schedule rounds themselves instead of calling
     * {@link #start()}. A failure of the store or the broker is logged at DEBUG (the started loop logs one WARN
     * per outage) and its messages are kept for the next round. Waits for a round in progress on another thread first.
     *
     * @return how many messages were marked sent or failed
     * @throws IllegalStateException if the relay is closed
     */
    public int relayOnce() {
        return relay.relayOnce();
    }

    /** Cuts the loop's current wait short, so that messages just written are sent now (not after a poll). */
    public void wakeUp() {
        relay.wakeUp();
    }

    /**
     * Stops the loop: waits for the round in progress (up to {@link Builder#shutdownTimeout}) and returns. Messages
     * it claimed but did not send stay claimed until their claim runs out, then any relay sends them. Idempotent.
     */
    @Override
    public void close() {
        relay.close();
    }

    @Override
    public String toString() {
        return "OutboxRelay[" + relay.relayId() + "]";
    }

    /** Settings of an {@link OutboxRelay}. Not thread-safe; {@link #build()} copies them. */
    public static final class Builder {
        private final OutboxStore store;
        private final MessageSender sender;
        private String relayId;
        private int batchSize = DEFAULT_BATCH_SIZE;
        private Duration lease = DEFAULT_LEASE;
        private Duration pollInterval = DEFAULT_POLL_INTERVAL;
        private Duration initialBackoff = Duration.ofMillis(100);
        private Duration maxBackoff = Duration.ofSeconds(10);
        private Duration shutdownTimeout = Duration.ofSeconds(10);
        private Executor executor;

        private Builder(OutboxStore store, MessageSender sender) {
            this.store = Checks.notNull(store, "store");
            this.sender = Checks.notNull(sender, "sender");
        }

        /**
         * The id under which the relay claims messages; unique among the relays that run at the same time.
         * Default: {@code relay-} and a random UUID, new for every relay.
         *
         * @throws IllegalArgumentException if blank, longer than {@value #MAX_RELAY_ID_LENGTH} characters, or
         *     holding U+0000
         */
        public Builder relayId(String relayId) {
            this.relayId = Checks.name(relayId, MAX_RELAY_ID_LENGTH, "relayId");
            return this;
        }

        /**
         * The most messages the relay claims and sends at once (messages of different instances). Default
         * {@value #DEFAULT_BATCH_SIZE}.
         *
         * @throws IllegalArgumentException if below 1 or above 10,000
         */
        public Builder batchSize(int batchSize) {
            Checks.atLeast(batchSize, 1, "batchSize");
            if (batchSize > 10_000) {
                throw new IllegalArgumentException("batchSize must be <= 10000, was " + batchSize);
            }
            this.batchSize = batchSize;
            return this;
        }

        /**
         * How long a claim holds, on the store's clock: how long after a relay died its messages are sent by
         * another. The relay sends a claimed message only while more than half of it is left, so it must be more
         * than twice the longest send. Default 30 s.
         *
         * @throws IllegalArgumentException if not positive, or longer than ten years
         */
        public Builder lease(Duration lease) {
            this.lease = Checks.positiveBounded(lease, "lease");
            return this;
        }

        /** How long the loop waits when there is nothing to send. Default 200 ms. */
        public Builder pollInterval(Duration pollInterval) {
            this.pollInterval = Checks.positiveBounded(pollInterval, "pollInterval");
            return this;
        }

        /**
         * The pauses after failed rounds (the store or the broker unreachable): {@code initial}, doubling up to
         * {@code max}, each with jitter. Default 100 ms to 10 s.
         *
         * @throws IllegalArgumentException if either is not positive, or {@code max < initial}
         */
        public Builder backoff(Duration initial, Duration max) {
            Backoff.check(initial, max);
            this.initialBackoff = initial;
            this.maxBackoff = max;
            return this;
        }

        /** How long {@link OutboxRelay#close()} waits for the round in progress. Default 10 s. */
        public Builder shutdownTimeout(Duration shutdownTimeout) {
            this.shutdownTimeout = Checks.positiveBounded(shutdownTimeout, "shutdownTimeout");
            return this;
        }

        /**
         * Runs the loop as one long task of the host's executor (it holds one thread until the relay is closed).
         * Default: a daemon thread of the relay's own.
         */
        public Builder executor(Executor executor) {
            this.executor = Checks.notNull(executor, "executor");
            return this;
        }

        /** A relay with these settings, not started. */
        public OutboxRelay build() {
            String id = relayId != null ? relayId : "relay-" + UUID.randomUUID();
            RelaySettings settings = new RelaySettings(id, batchSize, lease, pollInterval, initialBackoff, maxBackoff,
                    shutdownTimeout, executor);
            return new OutboxRelay(new Relay(Objects.requireNonNull(store), sender, settings));
        }
    }
}
