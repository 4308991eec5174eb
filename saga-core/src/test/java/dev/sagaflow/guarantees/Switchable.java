package dev.sagaflow.guarantees;

import dev.sagaflow.SagaStoreException;
import dev.sagaflow.store.ForwardingSagaStore;
import dev.sagaflow.store.InstanceWrite;
import dev.sagaflow.store.LeaseRenewal;
import dev.sagaflow.store.NodeLease;
import dev.sagaflow.store.SagaInstance;
import dev.sagaflow.store.SagaStore;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A store a test can break in the ways issue 10 described: renewals that fail or hang, reads that fail (the store
 * is away), and writes it refuses for good. Thread-safe.
 */
final class Switchable extends ForwardingSagaStore {
    volatile boolean renewalsFail;
    volatile CountDownLatch renewalsHangUntil;
    volatile boolean readsFail;
    volatile Predicate<InstanceWrite> refuseForGood = write -> false;
    final AtomicInteger updates = new AtomicInteger();
    final AtomicInteger renewals = new AtomicInteger();

    Switchable(SagaStore delegate) {
        super(delegate);
    }

    @Override
    public LeaseRenewal renewLeases(NodeLease node) {
        renewals.incrementAndGet();
        CountDownLatch hang = renewalsHangUntil;
        if (hang != null) {
            try {
                hang.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (renewalsFail) {
            throw new SagaStoreException("injected: the renewal failed", null, null,
                    SagaStoreException.Failure.TRANSIENT);
        }
        return super.renewLeases(node);
    }

    @Override
    public Optional<SagaInstance> find(String id) {
        if (readsFail) {
            throw new SagaStoreException("injected: the store is away", id, null, SagaStoreException.Failure.TRANSIENT);
        }
        return super.find(id);
    }

    @Override
    public List<SagaInstance> query(dev.sagaflow.store.SagaQuery query) {
        if (readsFail) {
            throw new SagaStoreException("injected: the store is away", null, null,
                    SagaStoreException.Failure.TRANSIENT);
        }
        return super.query(query);
    }

    @Override
    public boolean update(long expectedVersion, InstanceWrite write) {
        updates.incrementAndGet();
        if (refuseForGood.test(write)) {
            throw new SagaStoreException("injected: the database refuses this value", write.instance().id(), null,
                    SagaStoreException.Failure.PERMANENT);
        }
        return super.update(expectedVersion, write);
    }
}
