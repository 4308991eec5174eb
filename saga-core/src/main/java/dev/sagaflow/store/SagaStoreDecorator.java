package dev.sagaflow.store;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The base of a store decorator (metrics, health checks): passes every call to the store it decorates;
 * a subclass overrides the calls it observes. {@link #asStore()} presents the decorator to the runtime
 * with exactly the capabilities of the decorated store: a {@link TransactionalSagaStore} when it is one
 * (local steps' writes then pass through {@link #updateWithLocalWork}), an {@link OutboxStore} when it
 * has an outbox (whose relay calls go straight to the decorated store), so wrapping a store never adds
 * a capability it lacks nor hides one it has. Thread-safe when the subclass is.
 */
public abstract class SagaStoreDecorator implements SagaStore {
    /** The decorated store. */
    protected final SagaStore delegate;
    private final SagaStore asStore;

    protected SagaStoreDecorator(SagaStore delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate cannot be null");
        boolean transactional = delegate instanceof TransactionalSagaStore;
        if (delegate instanceof OutboxStore outbox) {
            this.asStore = transactional ? new TransactionalWithOutbox(this, outbox) : new WithOutbox(this, outbox);
        } else {
            this.asStore = transactional ? new Transactional(this) : this;
        }
    }

    /** This decorator with the capabilities of the decorated store: what to hand to the runtime. */
    public final SagaStore asStore() {
        return asStore;
    }

    /** The decorated store. */
    public final SagaStore delegate() {
        return delegate;
    }

    /**
     * A local step's write, reached only when the decorated store is transactional: passes it on. Override to
     * observe it.
     */
    protected boolean updateWithLocalWork(long expectedVersion, TransactionalSagaStore.LocalWork work) {
        return ((TransactionalSagaStore) delegate).updateWithLocalWork(expectedVersion, work);
    }

    @Override
    public Instant now() {
        return delegate.now();
    }

    @Override
    public boolean insert(InstanceWrite write) {
        return delegate.insert(write);
    }

    @Override
    public boolean update(long expectedVersion, InstanceWrite write) {
        return delegate.update(expectedVersion, write);
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
    public List<SagaCount> count(SagaQuery query) {
        return delegate.count(query);
    }

    @Override
    public List<SagaInstance> claim(ClaimRequest request) {
        return delegate.claim(request);
    }

    @Override
    public NodeRegistration registerNode(NodeLease node) {
        return delegate.registerNode(node);
    }

    @Override
    public LeaseRenewal renewLeases(NodeLease node) {
        return delegate.renewLeases(node);
    }

    @Override
    public int releaseLeases(String owner) {
        return delegate.releaseLeases(owner);
    }

    @Override
    public void deregisterNode(NodeLease node) {
        delegate.deregisterNode(node);
    }

    @Override
    public boolean recordReply(RecordedReply reply) {
        return delegate.recordReply(reply);
    }

    @Override
    public List<RecordedReply> replies(String sagaId) {
        return delegate.replies(sagaId);
    }

    @Override
    public int purgeFinished(Instant finishedBefore, int limit) {
        return delegate.purgeFinished(finishedBefore, limit);
    }

    @Override
    public int maxDataLength() {
        return delegate.maxDataLength();
    }

    /** The decorator seen as a store of another kind: every call goes to the decorator. */
    private static class View extends SagaStoreDecorator {
        View(SagaStoreDecorator decorator) {
            super(decorator);
        }

        @Override
        public String toString() {
            return delegate.toString();
        }
    }

    private static final class Transactional extends View implements TransactionalSagaStore {
        private final SagaStoreDecorator decorator;

        Transactional(SagaStoreDecorator decorator) {
            super(decorator);
            this.decorator = decorator;
        }

        @Override
        public boolean updateWithLocalWork(long expectedVersion, LocalWork work) {
            return decorator.updateWithLocalWork(expectedVersion, work);
        }
    }

    private static class WithOutbox extends View implements OutboxStore {
        final SagaStoreDecorator decorator;
        private final OutboxStore outbox;

        WithOutbox(SagaStoreDecorator decorator, OutboxStore outbox) {
            super(decorator);
            this.decorator = decorator;
            this.outbox = outbox;
        }

        @Override
        public List<OutboxMessage> claimOutbox(String relay, Duration lease, int limit) {
            return outbox.claimOutbox(relay, lease, limit);
        }

        @Override
        public boolean markSent(String messageId, String relay) {
            return outbox.markSent(messageId, relay);
        }

        @Override
        public boolean markFailed(String messageId, String relay, String reason) {
            return outbox.markFailed(messageId, relay, reason);
        }

        @Override
        public List<FailedMessage> failedOutbox(int limit) {
            return outbox.failedOutbox(limit);
        }

        @Override
        public boolean retryOutbox(String messageId) {
            return outbox.retryOutbox(messageId);
        }

        @Override
        public int purgeSentOutbox(Instant sentBefore, int limit) {
            return outbox.purgeSentOutbox(sentBefore, limit);
        }
    }

    private static final class TransactionalWithOutbox extends WithOutbox implements TransactionalSagaStore {
        TransactionalWithOutbox(SagaStoreDecorator decorator, OutboxStore outbox) {
            super(decorator, outbox);
        }

        @Override
        public boolean updateWithLocalWork(long expectedVersion, LocalWork work) {
            return decorator.updateWithLocalWork(expectedVersion, work);
        }
    }
}
