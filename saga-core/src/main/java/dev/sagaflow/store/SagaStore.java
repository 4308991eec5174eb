package dev.sagaflow.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where saga instances live. Every state change is one atomic compare-and-set write on the
 * instance's {@code version}, together with the history entries that record it (and the replies it
 * consumes and the messages it sends); a write that loses the race changes nothing and returns
 * {@code false}. A happy saga of N steps therefore costs N+1 writes: one {@link #insert} and N
 * {@link #update}s.
 *
 * <p><b>Leases and the store's clock.</b> Every live instance has an owner (a node id) and a lease.
 * Leases are written and compared on the store's own clock ({@link #now()}: the database's for a
 * database), never on a node's, so a node whose clock is wrong cannot take a healthy node's instances.
 * Callers give durations; the store computes expiries. Nodes register their process incarnation under
 * their node id ({@link #registerNode}); a renewal by an incarnation that no longer holds its node id
 * renews nothing ({@link LeaseRenewal#nodeHeld()}), so two processes configured with the same node id
 * are told apart.
 *
 * <p><b>Failures.</b> Every call may throw {@link dev.sagaflow.SagaStoreException}, whose
 * {@link dev.sagaflow.SagaStoreException#failure() failure()} says whether the call may have taken
 * effect (outcome unknown: the runtime reads back), did not and may succeed later (transient), or did
 * not and never will (permanent: the values or the statement are refused). Any other runtime exception
 * is a bug in the caller ({@link IllegalArgumentException}) or in the store.
 *
 * <p>Implementations must be thread-safe and pass the store compatibility suite in saga-core's
 * test-jar ({@code dev.sagaflow.store.SagaStoreCompatibilityTest}).
 */
public interface SagaStore {

    /** The store's clock: what lease expiries are written with and compared against. */
    Instant now();

    /**
     * Inserts a new instance (its version is 1) with its first history entries, in one atomic write.
     *
     * @return {@code true} if inserted; {@code false} if an instance of the same saga name with the
     *     same non-null idempotency key already exists (nothing is written then)
     * @throws IllegalArgumentException if an instance with the same id exists
     */
    boolean insert(InstanceWrite write);

    /**
     * Replaces the stored instance with {@code write.instance()}, appends its history, deletes the replies
     * it consumes and adds the messages it sends, in one atomic write, if and only if the stored version
     * equals {@code expectedVersion}. {@code write.instance().version()} must be {@code expectedVersion + 1}.
     *
     * @return {@code true} if written; {@code false} if the stored version differs or the instance
     *     does not exist (nothing is written then)
     * @throws IllegalArgumentException if the next version is not {@code expectedVersion + 1}
     */
    boolean update(long expectedVersion, InstanceWrite write);

    /**
     * {@link #insert(InstanceWrite)} in the form of the first SPI: the lease is {@code leaseUntil - updatedAt}.
     *
     * @deprecated give the lease as a duration with {@link #insert(InstanceWrite)}
     */
    @Deprecated
    default boolean insert(SagaInstance instance, List<HistoryEntry> history) {
        return insert(InstanceWrite.legacy(instance, history));
    }

    /**
     * {@link #update(long, InstanceWrite)} in the form of the first SPI: the lease is {@code leaseUntil - updatedAt}.
     *
     * @deprecated give the lease as a duration with {@link #update(long, InstanceWrite)}
     */
    @Deprecated
    default boolean update(long expectedVersion, SagaInstance next, List<HistoryEntry> history) {
        return update(expectedVersion, InstanceWrite.legacy(next, history));
    }

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
     * How many instances the query's filters select, per saga name and status (the query's position and
     * limit are ignored), ordered by saga name, then status. Statuses without instances are left out.
     */
    List<SagaCount> count(SagaQuery query);

    /**
     * Atomically takes over the instances the request selects, oldest first, as {@link #query}: sets their
     * owner and a lease of {@code request.lease()} from the store's clock, sets {@code updatedAt} to the
     * store's clock, and increments their version (so a node that lost its lease is fenced off), and returns
     * them as written. Two concurrent claims by different owners never return the same instance. A row the
     * store cannot read is skipped and left exactly as it is.
     */
    List<SagaInstance> claim(ClaimRequest request);

    /**
     * Registers {@code node}'s incarnation as the holder of its node id, replacing any earlier registration
     * (a crashed process, or another live process with the same node id, which learns it at its next
     * renewal), with a lease of {@code node.lease()} on the store's clock.
     *
     * @return what held the node id before
     */
    NodeRegistration registerNode(NodeLease node);

    /**
     * If {@code node}'s incarnation still holds its node id, extends its registration and the lease of every
     * live instance owned by its node id to {@code node.lease()} from the store's clock, without changing
     * versions (including leases that ran out but that nobody has claimed yet); otherwise renews nothing.
     * One statement (or one short transaction) per call, not one per instance.
     */
    LeaseRenewal renewLeases(NodeLease node);

    /**
     * Clears the owner and lease of every live instance owned by {@code owner}, without changing versions,
     * so that other nodes may claim them at once (called on a graceful close, and when a node starts, for what
     * an earlier process with the same node id left).
     *
     * @return how many instances were released
     */
    int releaseLeases(String owner);

    /** Removes {@code node}'s registration, if its incarnation still holds the node id (a graceful close). */
    void deregisterNode(NodeLease node);

    /**
     * Records a participant's reply until the instance's owner applies it, unless one is already recorded
     * for the same instance and step.
     *
     * @return {@code true} if recorded; {@code false} if a reply for that instance and step is already
     *     recorded (nothing is written then)
     */
    boolean recordReply(RecordedReply reply);

    /** The replies recorded for an instance and not yet consumed, oldest first. */
    List<RecordedReply> replies(String sagaId);

    /**
     * Deletes up to {@code limit} instances that finished successfully (COMPLETED or COMPENSATED) and were
     * last written before {@code finishedBefore}, with their history and recorded replies. FAILED and live
     * instances are never purged.
     *
     * @return how many instances were deleted
     */
    int purgeFinished(Instant finishedBefore, int limit);

    /**
     * The longest saga data, in characters of its JSON text, this store can keep; the runtime refuses
     * longer data before it writes. Default: no limit of the store's own.
     */
    default int maxDataLength() {
        return Integer.MAX_VALUE;
    }
}
