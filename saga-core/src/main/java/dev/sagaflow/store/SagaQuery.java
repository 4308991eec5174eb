package dev.sagaflow.store;

import dev.sagaflow.SagaStatus;
import java.time.Instant;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * Which instances to list: by status, saga name, age, idempotency key and owner, a page at a time.
 * Immutable; build it with the {@code with...}-style methods starting from {@link #all()} or
 * {@link #withStatus(SagaStatus...)}. Results are ordered oldest first (by creation time), then by id:
 * an order that the instances' writes do not change, so pages of a listing do not shift while sagas
 * run. The next page starts {@link #after(SagaInstance) after} the last instance of the previous one
 * (keyset paging: as fast for the thousandth page as for the first).
 *
 * @param statuses the statuses to include; empty means all
 * @param sagaName only instances of this definition name, or {@code null} for all
 * @param updatedBefore only instances whose last write is older than this, or {@code null}
 * @param createdBefore only instances started before this, or {@code null}
 * @param idempotencyKey only the instance started with this key, or {@code null}
 * @param owner only instances owned by this node id, or {@code null}
 * @param after only instances after this position in the result order, or {@code null} for the first page
 * @param limit at most this many (1 to 10,000)
 */
public record SagaQuery(Set<SagaStatus> statuses, String sagaName, Instant updatedBefore, Instant createdBefore,
        String idempotencyKey, String owner, Position after, int limit) {
    /**
     * The order of query results and of claimed instances, for every store: oldest first by
     * {@link SagaInstance#createdAt()}, then by id.
     */
    public static final Comparator<SagaInstance> RESULT_ORDER =
            Comparator.comparing(SagaInstance::createdAt).thenComparing(SagaInstance::id);

    /** The largest limit a query may ask for. */
    public static final int MAX_LIMIT = 10_000;

    public SagaQuery {
        Objects.requireNonNull(statuses, "statuses cannot be null");
        statuses = statuses.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(statuses));
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIMIT + ", was " + limit);
        }
    }

    /** The query of the first SPI: statuses, name, last write, limit. */
    public SagaQuery(Set<SagaStatus> statuses, String sagaName, Instant updatedBefore, int limit) {
        this(statuses, sagaName, updatedBefore, null, null, null, null, limit);
    }

    /** Every instance, up to 100. */
    public static SagaQuery all() {
        return new SagaQuery(Set.of(), null, null, 100);
    }

    /** Instances in any of the given statuses, up to 100. */
    public static SagaQuery withStatus(SagaStatus... statuses) {
        return new SagaQuery(Set.of(statuses), null, null, 100);
    }

    /** This query restricted to one definition name. */
    public SagaQuery sagaName(String name) {
        return new SagaQuery(statuses, Objects.requireNonNull(name, "name cannot be null"), updatedBefore,
                createdBefore, idempotencyKey, owner, after, limit);
    }

    /** This query restricted to instances not written since {@code instant}: the stuck ones, for live statuses. */
    public SagaQuery updatedBefore(Instant instant) {
        return new SagaQuery(statuses, sagaName, Objects.requireNonNull(instant, "instant cannot be null"),
                createdBefore, idempotencyKey, owner, after, limit);
    }

    /** This query restricted to instances started before {@code instant}. */
    public SagaQuery createdBefore(Instant instant) {
        return new SagaQuery(statuses, sagaName, updatedBefore, Objects.requireNonNull(instant,
                "instant cannot be null"), idempotencyKey, owner, after, limit);
    }

    /** This query restricted to the instance started with idempotency key {@code key}. */
    public SagaQuery idempotencyKey(String key) {
        return new SagaQuery(statuses, sagaName, updatedBefore, createdBefore,
                Objects.requireNonNull(key, "key cannot be null"), owner, after, limit);
    }

    /** This query restricted to instances owned by node {@code nodeId}. */
    public SagaQuery owner(String nodeId) {
        return new SagaQuery(statuses, sagaName, updatedBefore, createdBefore, idempotencyKey,
                Objects.requireNonNull(nodeId, "nodeId cannot be null"), after, limit);
    }

    /** The next page: this query restricted to instances after {@code last} in the result order. */
    public SagaQuery after(SagaInstance last) {
        Objects.requireNonNull(last, "last cannot be null");
        return after(new Position(last.createdAt(), last.id()));
    }

    /** This query restricted to instances after {@code position} in the result order. */
    public SagaQuery after(Position position) {
        return new SagaQuery(statuses, sagaName, updatedBefore, createdBefore, idempotencyKey, owner,
                Objects.requireNonNull(position, "position cannot be null"), limit);
    }

    /** This query with another limit. */
    public SagaQuery limit(int max) {
        return new SagaQuery(statuses, sagaName, updatedBefore, createdBefore, idempotencyKey, owner, after, max);
    }

    /** Whether {@code instance} is selected by this query's filters (ignoring the limit). */
    public boolean matches(SagaInstance instance) {
        return (statuses.isEmpty() || statuses.contains(instance.status()))
                && (sagaName == null || sagaName.equals(instance.sagaName()))
                && (updatedBefore == null || instance.updatedAt().isBefore(updatedBefore))
                && (createdBefore == null || instance.createdAt().isBefore(createdBefore))
                && (idempotencyKey == null || idempotencyKey.equals(instance.idempotencyKey()))
                && (owner == null || owner.equals(instance.owner()))
                && (after == null || after.isBefore(instance));
    }

    /**
     * A place in the result order: the creation time and id of an instance.
     *
     * @param createdAt the instance's creation time
     * @param id the instance's id
     */
    public record Position(Instant createdAt, String id) {
        public Position {
            Objects.requireNonNull(createdAt, "createdAt cannot be null");
            Objects.requireNonNull(id, "id cannot be null");
        }

        /** Whether {@code instance} comes after this position in the result order. */
        public boolean isBefore(SagaInstance instance) {
            int byTime = instance.createdAt().compareTo(createdAt);
            return byTime > 0 || (byTime == 0 && instance.id().compareTo(id) > 0);
        }
    }
}
