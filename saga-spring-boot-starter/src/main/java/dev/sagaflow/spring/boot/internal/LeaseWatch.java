package dev.sagaflow.spring.boot.internal;

import dev.sagaflow.store.LeaseRenewal;
import dev.sagaflow.store.NodeLease;
import dev.sagaflow.store.SagaStore;
import dev.sagaflow.store.SagaStoreDecorator;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Watches, for the health indicator, whether this node's leases are current: a store wrapper that remembers when
 * this node last renewed its leases (or the orchestrator started) and the last renewal error. Thread-safe.
 */
public final class LeaseWatch extends SagaStoreDecorator {
    private final Clock clock;
    private volatile Instant since;
    private volatile Instant lastRenewal;
    private volatile String lastRenewalError;

    private LeaseWatch(SagaStore delegate, Clock clock) {
        super(delegate);
        this.clock = clock;
        this.since = clock.instant();
    }

    /** {@code store} watched; hand {@link #asStore()} to the orchestrator. */
    public static LeaseWatch wrap(SagaStore store, Clock clock) {
        return new LeaseWatch(store, clock);
    }

    /** The orchestrator (re)started now: its leases count as current from now until a renewal is due. */
    public void started() {
        since = clock.instant();
    }

    /** Whether a renewal succeeded (or the orchestrator started) within {@code leaseDuration}. */
    public boolean leasesCurrent(Duration leaseDuration) {
        Instant last = lastRenewal;
        Instant reference = last == null || last.isBefore(since) ? since : last;
        return Duration.between(reference, clock.instant()).compareTo(leaseDuration) < 0;
    }

    /** When this node last renewed its leases, or null. */
    public Instant lastRenewal() {
        return lastRenewal;
    }

    /** The error of the last renewal if it failed (or why it renewed nothing), or null. */
    public String lastRenewalError() {
        return lastRenewalError;
    }

    /**
     * A renewal counts only if this process still holds its node id: one that lost it to another process with the
     * same node id renews nothing, and its leases are not current.
     */
    @Override
    public LeaseRenewal renewLeases(NodeLease node) {
        try {
            LeaseRenewal renewal = delegate.renewLeases(node);
            if (renewal.nodeHeld()) {
                lastRenewal = clock.instant();
                lastRenewalError = null;
            } else {
                lastRenewalError = "node id '" + node.nodeId() + "' is held by another process";
            }
            return renewal;
        } catch (RuntimeException e) {
            lastRenewalError = e.toString();
            throw e;
        }
    }

    @Override
    public String toString() {
        return delegate.toString();
    }
}
