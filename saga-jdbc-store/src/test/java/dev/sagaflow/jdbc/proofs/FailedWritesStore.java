package dev.sagaflow.jdbc.proofs;

import dev.sagaflow.store.ClaimRequest;
import dev.sagaflow.store.HistoryEntry;
import dev.sagaflow.store.SagaInstance;
import dev.sagaflow.store.SagaQuery;
import dev.sagaflow.store.SagaStore;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Delegates to a store and remembers which instances had an update fail with an exception. Thread-safe. */
final class FailedWritesStore implements SagaStore {
    private final SagaStore target;
    private final Set<String> failed = ConcurrentHashMap.newKeySet();

    FailedWritesStore(SagaStore target) {
        this.target = target;
    }

    /** The instances an update failed for, so far. */
    Set<String> failed() {
        return Set.copyOf(failed);
    }

    @Override
    public boolean update(long expectedVersion, SagaInstance next, List<HistoryEntry> history) {
        try {
            return target.update(expectedVersion, next, history);
        } catch (RuntimeException e) {
            failed.add(next.id());
            throw e;
        }
    }

    @Override
    public boolean insert(SagaInstance instance, List<HistoryEntry> history) {
        return target.insert(instance, history);
    }

    @Override
    public Optional<SagaInstance> find(String id) {
        return target.find(id);
    }

    @Override
    public Optional<SagaInstance> findByIdempotencyKey(String sagaName, String idempotencyKey) {
        return target.findByIdempotencyKey(sagaName, idempotencyKey);
    }

    @Override
    public List<HistoryEntry> history(String id) {
        return target.history(id);
    }

    @Override
    public List<SagaInstance> query(SagaQuery query) {
        return target.query(query);
    }

    @Override
    public List<SagaInstance> claim(ClaimRequest request) {
        return target.claim(request);
    }

    @Override
    public int renewLeases(String owner, Instant leaseUntil) {
        return target.renewLeases(owner, leaseUntil);
    }

    @Override
    public int releaseLeases(String owner) {
        return target.releaseLeases(owner);
    }

    @Override
    public String toString() {
        return "FailedWritesStore[" + target + "]";
    }
}
