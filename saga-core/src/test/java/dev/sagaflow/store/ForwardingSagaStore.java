package dev.sagaflow.store;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A store wrapper for tests: passes every call to another store after {@link #beforeCall()}. A
 * subclass overrides the hook, and the calls it changes.
 */
public abstract class ForwardingSagaStore implements SagaStore {
    protected final SagaStore delegate;

    protected ForwardingSagaStore(SagaStore delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate cannot be null");
    }

    /** Runs before every call that is passed on; does nothing unless overridden. */
    protected void beforeCall() {
    }

    @Override
    public Instant now() {
        beforeCall();
        return delegate.now();
    }

    @Override
    public int maxDataLength() {
        return delegate.maxDataLength();
    }

    @Override
    public boolean insert(InstanceWrite write) {
        beforeCall();
        return delegate.insert(write);
    }

    @Override
    public boolean update(long expectedVersion, InstanceWrite write) {
        beforeCall();
        return delegate.update(expectedVersion, write);
    }

    @Override
    public Optional<SagaInstance> find(String id) {
        beforeCall();
        return delegate.find(id);
    }

    @Override
    public Optional<SagaInstance> findByIdempotencyKey(String sagaName, String idempotencyKey) {
        beforeCall();
        return delegate.findByIdempotencyKey(sagaName, idempotencyKey);
    }

    @Override
    public List<HistoryEntry> history(String id) {
        beforeCall();
        return delegate.history(id);
    }

    @Override
    public List<SagaInstance> query(SagaQuery query) {
        beforeCall();
        return delegate.query(query);
    }

    @Override
    public List<SagaCount> count(SagaQuery query) {
        beforeCall();
        return delegate.count(query);
    }

    @Override
    public List<SagaInstance> claim(ClaimRequest request) {
        beforeCall();
        return delegate.claim(request);
    }

    @Override
    public NodeRegistration registerNode(NodeLease node) {
        beforeCall();
        return delegate.registerNode(node);
    }

    @Override
    public LeaseRenewal renewLeases(NodeLease node) {
        beforeCall();
        return delegate.renewLeases(node);
    }

    @Override
    public int releaseLeases(String owner) {
        beforeCall();
        return delegate.releaseLeases(owner);
    }

    @Override
    public void deregisterNode(NodeLease node) {
        beforeCall();
        delegate.deregisterNode(node);
    }

    @Override
    public boolean recordReply(RecordedReply reply) {
        beforeCall();
        return delegate.recordReply(reply);
    }

    @Override
    public List<RecordedReply> replies(String sagaId) {
        beforeCall();
        return delegate.replies(sagaId);
    }

    @Override
    public int purgeFinished(Instant finishedBefore, int limit) {
        beforeCall();
        return delegate.purgeFinished(finishedBefore, limit);
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + " over " + delegate;
    }
}
