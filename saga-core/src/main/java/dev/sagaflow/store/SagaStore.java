package dev.sagaflow.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where saga instances live. Every state change is one atomic compare-and-set write on the
 * instance's {@code version}, together with the history entries that record it; a write that
 * loses the race changes nothing and returns {@code false}. A happy saga of N steps therefore
 * costs N+1 writes: one {@link #insert} and N {@link #update}s.
 *
 * <p>Implementations must be thread-safe. They throw {@link dev.sagaflow.SagaStoreException} (or
 * any other runtime exception) when the store cannot be reached; the runtime retries its writes.
 * Every implementation must pass the store compatibility suite in saga-core's test-jar
 * ({@code dev.sagaflow.store.SagaStoreCompatibilityTest}).
 */
public interface SagaStore {

    /**
     * Inserts a new instance (its version is 1) with its first history entries, in one atomic write.
     *
     * @return {@code true} if inserted; {@code false} if an instance of the same saga name with the
     *     same non-null idempotency key already exists (nothing is written then)
     * @throws IllegalArgumentException if an instance with the same id exists
     */
    boolean insert(SagaInstance instance, List<HistoryEntry> history);

    /**
     * Replaces the stored instance with {@code next} and appends {@code history}, in one atomic
     * write, if and only if the stored version equals {@code expectedVersion}. {@code next.version()}
     * must be {@code expectedVersion + 1}.
     *
     * @return {@code true} if written; {@code false} if the stored version differs or the instance
     *     does not exist (nothing is written then)
     * @throws IllegalArgumentException if {@code next.version()} is not {@code expectedVersion + 1}
     */
    boolean update(long expectedVersion, SagaInstance next, List<HistoryEntry> history);

    /** The instance with this id. */
    Optional<SagaInstance> find(String id);

    /** The instance of saga {@code sagaName} started with this idempotency key. */
    Optional<SagaInstance> findByIdempotencyKey(String sagaName, String idempotencyKey);

    /** The history of an instance, oldest first; empty for an unknown id. */
    List<HistoryEntry> history(String id);

    /**
     * Instances selected by the query, in {@link SagaQuery#RESULT_ORDER}: oldest first (by
     * {@code createdAt}), then by id. Not by {@code updatedAt}, which every write changes: a durable
     * store can then keep its index on creation, untouched by the updates of running sagas.
     */
    List<SagaInstance> query(SagaQuery query);

    /**
     * Atomically takes over the instances the request selects, oldest first, as {@link #query}: sets their
     * owner and lease, sets {@code updatedAt} to the request's {@code now} and increments their
     * version (so a node that lost its lease is fenced off), and returns them as written. Two
     * concurrent claims by different owners never return the same instance.
     */
    List<SagaInstance> claim(ClaimRequest request);

    /**
     * Extends the lease of every live instance owned by {@code owner} to {@code leaseUntil}, without
     * changing versions; this includes leases of the owner that ran out but that nobody has
     * claimed yet (the owner is alive again). One statement per call, not one per instance.
     *
     * @return how many instances were renewed
     */
    int renewLeases(String owner, Instant leaseUntil);

    /**
     * Clears the owner and lease of every live instance owned by {@code owner}, without changing
     * versions, so that other nodes may claim them at once (called on a graceful close, and when a
     * node starts, for what an earlier process with the same node id left).
     *
     * @return how many instances were released
     */
    int releaseLeases(String owner);
}
