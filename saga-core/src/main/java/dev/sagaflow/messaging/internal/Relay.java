package dev.sagaflow.messaging.internal;

import dev.sagaflow.messaging.MessageRejectedException;
import dev.sagaflow.messaging.MessageSender;
import dev.sagaflow.store.OutboxMessage;
import dev.sagaflow.store.OutboxStore;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The machinery of an {@link dev.sagaflow.messaging.OutboxRelay}: rounds of claim, send, mark, and the loop
 * that runs them with pauses. Thread-safe: rounds run one at a time under a lock.
 *
 * <p>A round (1) claims messages up to the batch size; (2) forgets the held messages whose claim has less than
 * half the lease left, without sending them (another relay may claim them once the claim runs out, so sending now
 * could overlap with its send); (3) sends every held message not yet confirmed, in one {@link
 * MessageSender#sendAll} (the store hands out one message per instance at a time, so they are of different
 * instances); (4) marks each confirmed message sent and each refused one failed. A message whose send failed
 * transiently stays held and is sent again next round; one whose mark failed (the store is down) is marked
 * again, never sent again, while it is held. The lease is timed on this JVM's monotonic clock from before the
 * claim was asked for, so it never outlasts the store's. The loop backs off after a round in which something
 * failed and nothing was finished.
 */
public final class Relay {
    private static final Logger log = LoggerFactory.getLogger(Relay.class);

    private enum State { NEW, RUNNING, CLOSED }

    private enum Outcome { SENT, REFUSED }

    /** A message this relay claimed and has not finished with. */
    private static final class Held {
        final OutboxMessage message;
        final long claimEndsNanos;
        Outcome outcome;
        String reason;

        Held(OutboxMessage message, long claimEndsNanos) {
            this.message = message;
            this.claimEndsNanos = claimEndsNanos;
        }
    }

    /** What one round did. */
    private record Round(int claimed, int finished, boolean idle, Exception failure) {
    }

    private final OutboxStore store;
    private final MessageSender sender;
    private final RelaySettings settings;
    private final long leaseNanos;
    private final ReentrantLock roundLock = new ReentrantLock();
    /** By message id, in claim order; guarded by roundLock. */
    private final Map<String, Held> held = new LinkedHashMap<>();
    private final Object signal = new Object();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private boolean woken;
    private volatile State state = State.NEW;

    public Relay(OutboxStore store, MessageSender sender, RelaySettings settings) {
        this.store = store;
        this.sender = sender;
        this.settings = settings;
        this.leaseNanos = settings.lease().toNanos();
    }

    public String relayId() {
        return settings.relayId();
    }

    public synchronized void start() {
        if (state != State.NEW) {
            throw new IllegalStateException("outbox relay " + settings.relayId() + " was already "
                    + (state == State.RUNNING ? "started" : "closed"));
        }
        state = State.RUNNING;
        log.info("outbox relay {} starting: {}", settings.relayId(), settings);
        try {
            if (settings.executor() != null) {
                settings.executor().execute(this::loop);
            } else {
                Thread thread = new Thread(this::loop, "sagaflow-outbox-relay-" + settings.relayId());
                thread.setDaemon(true);
                thread.start();
            }
        } catch (RuntimeException e) {
            state = State.CLOSED;
            stopped.countDown();
            throw e;
        }
    }

    public int relayOnce() {
        if (state == State.CLOSED) {
            throw new IllegalStateException("outbox relay " + settings.relayId() + " is closed");
        }
        Round round = lockedRound();
        if (round.failure() != null) {
            log.debug("outbox relay {}: round failed, its messages are kept for the next: {}", settings.relayId(),
                    round.failure().toString());
        }
        return round.finished();
    }

    public void wakeUp() {
        synchronized (signal) {
            woken = true;
            signal.notifyAll();
        }
    }

    public void close() {
        State previous;
        synchronized (this) {
            previous = state;
            state = State.CLOSED;
        }
        if (previous == State.CLOSED) {
            return;
        }
        wakeUp();
        if (previous == State.RUNNING) {
            try {
                if (!stopped.await(settings.shutdownTimeout().toNanos(), TimeUnit.NANOSECONDS)) {
                    log.warn("outbox relay {}: the round in progress did not end within {}; its messages are sent"
                            + " again once their claims run out", settings.relayId(), settings.shutdownTimeout());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        log.info("outbox relay {} closed", settings.relayId());
    }

    private void loop() {
        Backoff backoff = new Backoff(settings.initialBackoff(), settings.maxBackoff());
        try {
            while (state == State.RUNNING && !Thread.currentThread().isInterrupted()) {
                Round round;
                try {
                    round = lockedRound();
                } catch (Throwable t) {
                    log.error("outbox relay {}: unexpected failure in a round; going on", settings.relayId(), t);
                    round = new Round(0, 0, false, t instanceof Exception e ? e : new RuntimeException(t));
                }
                if (round.failure() != null) {
                    if (backoff.failures() == 0) {
                        log.warn("outbox relay {}: the store or the broker failed, backing off (messages are kept): {}",
                                settings.relayId(), round.failure().toString());
                    }
                    pause(backoff.nextNanos());
                } else {
                    if (backoff.failures() > 0) {
                        log.info("outbox relay {}: relaying again after {} failed rounds", settings.relayId(),
                                backoff.failures());
                        backoff.reset();
                    }
                    if (round.idle()) {
                        pause(settings.pollInterval().toNanos());
                    }
                }
            }
        } finally {
            stopped.countDown();
        }
    }

    /** Waits up to {@code nanos}, or until woken or closed. */
    private void pause(long nanos) {
        long end = System.nanoTime() + nanos;
        synchronized (signal) {
            try {
                long left;
                while (!woken && state == State.RUNNING && (left = end - System.nanoTime()) > 0) {
                    TimeUnit.NANOSECONDS.timedWait(signal, left);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            woken = false;
        }
    }

    private Round lockedRound() {
        roundLock.lock();
        try {
            return round();
        } finally {
            roundLock.unlock();
        }
    }

    private Round round() {
        Exception failure = null;
        int claimed = 0;
        int room = settings.batchSize() - held.size();
        if (room > 0) {
            long claimedAt = System.nanoTime();
            try {
                for (OutboxMessage message : store.claimOutbox(settings.relayId(), settings.lease(), room)) {
                    held.put(message.id(), new Held(message, claimedAt + leaseNanos));
                    claimed++;
                }
            } catch (RuntimeException e) {
                failure = e;
            }
        }
        // After the claim, which may have taken long: a claim that is running out is not sent on.
        forgetExpiringClaims();
        Exception sendFailure = send();
        failure = sendFailure != null ? sendFailure : failure;
        int finished = 0;
        for (Iterator<Held> it = held.values().iterator(); it.hasNext(); ) {
            Held entry = it.next();
            if (entry.outcome == null) {
                continue;
            }
            try {
                boolean mine = entry.outcome == Outcome.SENT
                        ? store.markSent(entry.message.id(), settings.relayId())
                        : store.markFailed(entry.message.id(), settings.relayId(), entry.reason);
                it.remove();
                finished++;
                if (!mine) {
                    log.warn("outbox relay {}: message {} [instance {} step '{}'] was {} after its claim ran out;"
                            + " another relay may send it again", settings.relayId(), entry.message.id(),
                            entry.message.sagaId(), entry.message.step(),
                            entry.outcome == Outcome.SENT ? "sent" : "refused");
                }
            } catch (RuntimeException e) {
                failure = e;
            }
        }
        // Back off only when nothing moved: a round that finished some messages goes on at once, so one message
        // that keeps failing does not slow the others; a round of nothing but failures pauses.
        return new Round(claimed, finished, claimed == 0 && held.isEmpty(), finished > 0 ? null : failure);
    }

    private void forgetExpiringClaims() {
        long now = System.nanoTime();
        for (Iterator<Held> it = held.values().iterator(); it.hasNext(); ) {
            Held entry = it.next();
            if (entry.outcome == null && entry.claimEndsNanos - now < leaseNanos / 2) {
                it.remove();
                log.debug("outbox relay {}: not sending message {} again: less than half its claim is left",
                        settings.relayId(), entry.message.id());
            }
        }
    }

    /** Sends the held messages not yet confirmed; returns the last transient failure, or {@code null}. */
    private Exception send() {
        List<Held> pending = new ArrayList<>();
        List<OutboxMessage> messages = new ArrayList<>();
        for (Held entry : held.values()) {
            if (entry.outcome == null) {
                pending.add(entry);
                messages.add(entry.message);
            }
        }
        if (messages.isEmpty()) {
            return null;
        }
        Map<String, Exception> failures;
        RuntimeException whole = null;
        try {
            failures = sender.sendAll(List.copyOf(messages));
        } catch (RuntimeException e) {
            whole = e;
            failures = Map.of();
        }
        Exception failure = null;
        for (Held entry : pending) {
            Exception e = whole != null ? whole : failures.get(entry.message.id());
            if (e == null) {
                entry.outcome = Outcome.SENT;
            } else if (e instanceof MessageRejectedException refused) {
                entry.outcome = Outcome.REFUSED;
                entry.reason = refused.reason();
                log.error("outbox relay {}: marking message {} failed: {}",
                        settings.relayId(), entry.message.id(), refused.getMessage());
            } else {
                failure = e;
            }
        }
        return failure;
    }
}
