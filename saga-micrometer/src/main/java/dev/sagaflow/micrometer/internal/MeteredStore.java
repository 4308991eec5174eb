package dev.sagaflow.micrometer.internal;

import dev.sagaflow.micrometer.SagaflowMetrics;
import dev.sagaflow.micrometer.internal.Meters.Operation;
import dev.sagaflow.micrometer.internal.Meters.Outcome;
import dev.sagaflow.store.ClaimRequest;
import dev.sagaflow.store.InstanceWrite;
import dev.sagaflow.store.LeaseRenewal;
import dev.sagaflow.store.NodeLease;
import dev.sagaflow.store.SagaInstance;
import dev.sagaflow.store.SagaStore;
import dev.sagaflow.store.SagaStoreDecorator;
import dev.sagaflow.store.TransactionalSagaStore;
import java.util.List;
import java.util.Optional;

/**
 * A store that times every write and follows the instances this node drives: an insert or a claim starts
 * following one; a write that ends it or loses its compare-and-set, or a read that shows it moved on without this
 * node, stops. Other reads and relay calls pass through untouched.
 */
public final class MeteredStore extends SagaStoreDecorator {
    private final Meters meters;

    private MeteredStore(SagaStore delegate, Meters meters) {
        super(delegate);
        this.meters = meters;
    }

    /** {@code store} metered, with exactly its capabilities (transactional, outbox). */
    public static SagaStore wrap(SagaStore store, Meters meters) {
        return new MeteredStore(store, meters).asStore();
    }

    @Override
    public boolean insert(InstanceWrite write) {
        SagaInstance instance = write.instance();
        long start = System.nanoTime();
        boolean written;
        try {
            written = delegate.insert(write);
        } catch (RuntimeException e) {
            meters.storeWrite(Operation.INSERT, Outcome.ERROR, System.nanoTime() - start);
            throw e;
        }
        meters.storeWrite(Operation.INSERT, written ? Outcome.WRITTEN : Outcome.CONFLICT, System.nanoTime() - start);
        if (written) {
            meters.drive(instance.id(), instance.sagaName(), instance.status(), instance.owner(), instance.version());
        }
        return written;
    }

    @Override
    public boolean update(long expectedVersion, InstanceWrite write) {
        SagaInstance next = write.instance();
        meters.writing(next.id(), next.version());
        long start = System.nanoTime();
        boolean written;
        try {
            written = delegate.update(expectedVersion, write);
        } catch (RuntimeException e) {
            meters.storeWrite(Operation.UPDATE, Outcome.ERROR, System.nanoTime() - start);
            throw e;
        }
        meters.storeWrite(Operation.UPDATE, written ? Outcome.WRITTEN : Outcome.CONFLICT, System.nanoTime() - start);
        recordUpdate(written, next, write.history().isEmpty());
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
                meters.drive(next.id(), next.sagaName(), next.status(), next.owner(), next.version());
            }
            return;
        }
        countLost(meters.handedOver(next.id()));
    }

    /**
     * Passes the read through; one that shows an instance this node follows moved on without it (another node or an
     * operator wrote it, or it finished elsewhere) counts a lost lease. The runtime learns of most takeovers this
     * way, by re-reading before it acts, rather than through a write that loses its compare-and-set.
     */
    @Override
    public Optional<SagaInstance> find(String id) {
        Optional<SagaInstance> found = delegate.find(id);
        countLost(meters.read(id, found.orElse(null)));
        return found;
    }

    private void countLost(String sagaName) {
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
            meters.drive(instance.id(), instance.sagaName(), instance.status(), instance.owner(), instance.version());
        }
        return claimed;
    }

    @Override
    public LeaseRenewal renewLeases(NodeLease node) {
        long start = System.nanoTime();
        try {
            LeaseRenewal renewed = delegate.renewLeases(node);
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
    public String toString() {
        return "Metered[" + delegate + "]";
    }

    /** A local step's write, timed and followed like an update. */
    @Override
    protected boolean updateWithLocalWork(long expectedVersion, TransactionalSagaStore.LocalWork work) {
        SagaInstance[] written = new SagaInstance[1];
        long start = System.nanoTime();
        boolean committed;
        try {
            committed = super.updateWithLocalWork(expectedVersion, connection -> {
                InstanceWrite write = work.perform(connection);
                written[0] = write.instance();
                meters.writing(write.instance().id(), write.instance().version());
                return write;
            });
        } catch (TransactionalSagaStore.LocalWorkException e) {
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
