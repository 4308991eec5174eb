package dev.sagaflow.spring.boot.internal;

import dev.sagaflow.store.ClaimRequest;
import dev.sagaflow.store.HistoryEntry;
import dev.sagaflow.store.SagaInstance;
import dev.sagaflow.store.SagaQuery;
import dev.sagaflow.store.SagaStore;
import dev.sagaflow.store.TransactionalSagaStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Watches, for the health indicator, whether this node's leases are current: a store wrapper that remembers when
 * this node last renewed its leases (or the orchestrator started) and the last renewal error. Thread-safe.
 */
public class LeaseWatch implements SagaStore {
    final SagaStore delegate;
    private final Clock clock;
    private volatile Instant since;
    private volatile Instant lastRenewal;
    private volatile String lastRenewalError;

    LeaseWatch(SagaStore delegate, Clock clock) {
        this.delegate = delegate;
        this.clock = clock;
        this.since = clock.instant();
    }

    /** {@code store} watched, transactional exactly when {@code store} is. */
    public static LeaseWatch wrap(SagaStore store, Clock clock) {
        return store instanceof TransactionalSagaStore transactional
                ? new Transactional(transactional, clock) : new LeaseWatch(store, clock);
    }

    /** The store watched. */
    public SagaStore delegate() {
        return delegate;
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

    /** The error of the last renewal if it failed, or null. */
    public String lastRenewalError() {
        return lastRenewalError;
    }

    @Override
    public int renewLeases(String owner, Instant leaseUntil) {
        try {
            int renewed = delegate.renewLeases(owner, leaseUntil);
            lastRenewal = clock.instant();
            lastRenewalError = null;
            return renewed;
        } catch (RuntimeException e) {
            lastRenewalError = e.toString();
            throw e;
        }
    }

    @Override
    public boolean insert(SagaInstance instance, List<HistoryEntry> history) {
        return delegate.insert(instance, history);
    }

    @Override
    public boolean update(long expectedVersion, SagaInstance next, List<HistoryEntry> history) {
        return delegate.update(expectedVersion, next, history);
    }

    @Override
    public Optional<SagaInstance> find(String id) {
        return delegate.find(id);
    }

    @Override
    public Optional<SagaInstance> findByIdempotencyKey(String sagaName, String idempotencyKey) {
        return delegate.findByIdempotencyKey(sagaName, idempotencyKey);
    }

    @Override
    public List<HistoryEntry> history(String id) {
        return delegate.history(id);
    }

    @Override
    public List<SagaInstance> query(SagaQuery query) {
        return delegate.query(query);
    }

    @Override
    public List<SagaInstance> claim(ClaimRequest request) {
        return delegate.claim(request);
    }

    @Override
    public int releaseLeases(String owner) {
        return delegate.releaseLeases(owner);
    }

    @Override
    public String toString() {
        return delegate.toString();
    }

    /** The watched form of a transactional store. */
    static final class Transactional extends LeaseWatch implements TransactionalSagaStore {
        Transactional(TransactionalSagaStore delegate, Clock clock) {
            super(delegate, clock);
        }

        @Override
        public boolean updateWithLocalWork(long expectedVersion, LocalWork work) {
            return ((TransactionalSagaStore) delegate).updateWithLocalWork(expectedVersion, work);
        }
    }
}
