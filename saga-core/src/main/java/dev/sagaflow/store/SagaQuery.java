package dev.sagaflow.store;

import dev.sagaflow.SagaStatus;
import java.time.Instant;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * Which instances to list: by status, by saga name, and by age. Immutable; build it with the
 * {@code with...} methods starting from {@link #all()} or {@link #withStatus(SagaStatus...)}.
 * Results are ordered oldest first (by creation time), then by id: an order that the instances'
 * writes do not change, so pages of a listing do not shift while sagas run.
 *
 * @param statuses the statuses to include; empty means all
 * @param sagaName only instances of this definition name, or {@code null} for all
 * @param updatedBefore only instances whose last write is older than this, or {@code null}
 * @param limit at most this many (1 to 10,000)
 */
public record SagaQuery(Set<SagaStatus> statuses, String sagaName, Instant updatedBefore, int limit) {
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
        return new SagaQuery(statuses, Objects.requireNonNull(name, "name cannot be null"), updatedBefore, limit);
    }

    /** This query restricted to instances not written since {@code instant}: the stuck ones, for live statuses. */
    public SagaQuery updatedBefore(Instant instant) {
        return new SagaQuery(statuses, sagaName, Objects.requireNonNull(instant, "instant cannot be null"), limit);
    }

    /** This query with another limit. */
    public SagaQuery limit(int max) {
        return new SagaQuery(statuses, sagaName, updatedBefore, max);
    }

    /** Whether {@code instance} is selected by this query's filters (ignoring the limit). */
    public boolean matches(SagaInstance instance) {
        return (statuses.isEmpty() || statuses.contains(instance.status()))
                && (sagaName == null || sagaName.equals(instance.sagaName()))
                && (updatedBefore == null || instance.updatedAt().isBefore(updatedBefore));
    }
}
