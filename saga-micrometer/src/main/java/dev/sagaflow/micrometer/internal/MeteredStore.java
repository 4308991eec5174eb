package dev.sagaflow.micrometer.internal;

import dev.sagaflow.micrometer.SagaflowMetrics;
import dev.sagaflow.micrometer.internal.Meters.Operation;
import dev.sagaflow.micrometer.internal.Meters.Outcome;
import dev.sagaflow.store.ClaimRequest;
import dev.sagaflow.store.HistoryEntry;
import dev.sagaflow.store.SagaInstance;
import dev.sagaflow.store.SagaQuery;
import dev.sagaflow.store.SagaStore;
import dev.sagaflow.store.TransactionalSagaStore;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A store that times every write and follows the instances this node drives: an insert or a claim starts
 * following one, a write that ends it or loses its compare-and-set stops. Reads pass through untouched.
 */
public class MeteredStore implements SagaStore {
    final SagaStore delegate;
    final Meters meters;

    MeteredStore(SagaStore delegate, Meters meters) {
        this.delegate = delegate;
        this.meters = meters;
    }

    /** {@code store} metered, transactional exactly when {@code store} is. */
    public static SagaStore wrap(SagaStore store, Meters meters) {
        return store instanceof TransactionalSagaStore transactional
                ? new Transactional(transactional, meters) : new MeteredStore(store, meters);
    }

    @Override
    public boolean insert(SagaInstance instance, List<HistoryEntry> history) {
        long start = System.nanoTime();
        boolean written;
        try {
            written = delegate.insert(instance, history);
        } catch (RuntimeException e) {
            meters.storeWrite(Operation.INSERT, Outcome.ERROR, System.nanoTime() - start);
            throw e;
        }
        meters.storeWrite(Operation.INSERT, written ? Outcome.WRITTEN : Outcome.CONFLICT, System.nanoTime() - start);
        if (written) {
            meters.drive(instance.id(), instance.sagaName(), instance.status());
        }
        return written;
    }

    @Override
    public boolean update(long expectedVersion, SagaInstance next, List<HistoryEntry> history) {
        long start = System.nanoTime();
        boolean written;
        try {
            written = delegate.update(expectedVersion, next, history);
        } catch (RuntimeException e) {
            meters.storeWrite(Operation.UPDATE, Outcome.ERROR, System.nanoTime() - start);
            throw e;
        }
        meters.storeWrite(Operation.UPDATE, written ? Outcome.WRITTEN : Outcome.CONFLICT, System.nanoTime() - start);
        recordUpdate(written, next, history.isEmpty());
        return written;
    }

    /**
     * Follows the outcome of a write by this node. A written update of an instance this node did not follow is a
     * takeover (to deliver a reply or an operator action; the runtime records no history with it) or an
     * operator's retry; a lost one means another node or an operator moved the instance.
     */
    void recordUpdate(boolean written, SagaInstance next, boolean takeover) {
        if (written) {
            if (!meters.moved(next.id(), next.status()) && next.status().isLive()) {
                if (takeover) {
                    meters.count(SagaflowMetrics.LEASE_CLAIMED,
                            "Saga instances this node took over", "saga", next.sagaName());
                }
                meters.drive(next.id(), next.sagaName(), next.status());
            }
            return;
        }
        String sagaName = meters.handedOver(next.id());
        if (sagaName != null) {
            meters.count(SagaflowMetrics.LEASE_LOST,
                    "Saga instances this node lost to another node or an operator", "saga", sagaName);
        }
    }

    @Override
    public List<SagaInstance> claim(ClaimRequest request) {
        long start = System.nanoTime();
        List<SagaInstance> claimed;
        try {
            claimed = delegate.claim(request);
        } catch (RuntimeException e) {
            meters.storeWrite(Operation.CLAIM, Outcome.ERROR, System.nanoTime() - start);
            throw e;
        }
        meters.storeWrite(Operation.CLAIM, Outcome.WRITTEN, System.nanoTime() - start);
        for (SagaInstance instance : claimed) {
            meters.count(SagaflowMetrics.LEASE_CLAIMED, "Saga instances this node took over",
                    "saga", instance.sagaName());
            meters.drive(instance.id(), instance.sagaName(), instance.status());
        }
        return claimed;
    }

    @Override
    public int renewLeases(String owner, Instant leaseUntil) {
        long start = System.nanoTime();
        try {
            int renewed = delegate.renewLeases(owner, leaseUntil);
            meters.storeWrite(Operation.RENEW, Outcome.WRITTEN, System.nanoTime() - start);
            return renewed;
        } catch (RuntimeException e) {
            meters.storeWrite(Operation.RENEW, Outcome.ERROR, System.nanoTime() - start);
            throw e;
        }
    }

    @Override
    public int releaseLeases(String owner) {
        long start = System.nanoTime();
        try {
            int released = delegate.releaseLeases(owner);
            meters.storeWrite(Operation.RELEASE, Outcome.WRITTEN, System.nanoTime() - start);
            return released;
        } catch (RuntimeException e) {
            meters.storeWrite(Operation.RELEASE, Outcome.ERROR, System.nanoTime() - start);
            throw e;
        } finally {
            // On close, and on start-up for what an earlier process left: either way nothing is driven here.
            meters.handedOverAll();
        }
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
    public String toString() {
        return "Metered[" + delegate + "]";
    }

    /** The metered form of a transactional store: local steps' writes are timed and followed too. */
    static final class Transactional extends MeteredStore implements TransactionalSagaStore {
        Transactional(TransactionalSagaStore delegate, Meters meters) {
            super(delegate, meters);
        }

        @Override
        public boolean updateWithLocalWork(long expectedVersion, LocalWork work) {
            SagaInstance[] written = new SagaInstance[1];
            long start = System.nanoTime();
            boolean committed;
            try {
                committed = ((TransactionalSagaStore) delegate).updateWithLocalWork(expectedVersion, connection -> {
                    Write write = work.perform(connection);
                    written[0] = write.next();
                    return write;
                });
            } catch (LocalWorkException e) {
                throw e; // the step's own work failed and rolled back; no write was attempted
            } catch (RuntimeException e) {
                meters.storeWrite(Operation.LOCAL, Outcome.ERROR, System.nanoTime() - start);
                throw e;
            }
            meters.storeWrite(Operation.LOCAL, committed ? Outcome.WRITTEN : Outcome.CONFLICT, System.nanoTime() - start);
            if (written[0] != null) {
                recordUpdate(committed, written[0], false);
            }
            return committed;
        }
    }
}
