package dev.sagaflow.console.internal;

import dev.sagaflow.SagaInfo;
import dev.sagaflow.SagaOrchestrator;
import dev.sagaflow.SagaStatus;
import dev.sagaflow.StepStatus;
import dev.sagaflow.console.ConsoleUser;
import dev.sagaflow.console.internal.ListFilter.Cursor;
import dev.sagaflow.store.SagaQuery;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything the console reads from and does to the orchestrator, in one place: the only class that
 * calls {@link SagaOrchestrator}. Until the core's query API has keyset paging, an idempotency-key filter,
 * a created-before filter, counts by saga and status, and an actor on retry and abort, this class does what
 * is missing in memory over at most {@link SagaQuery#MAX_LIMIT} instances per query, and says so
 * ({@link Page#truncated()}, {@link Counts#atLeast()}). Thread-safe.
 */
public final class SagaQueries {
    private static final Logger log = LoggerFactory.getLogger(SagaQueries.class);

    /** The order of the list, the same as the store's. */
    static final Comparator<SagaInfo> ORDER = Comparator.comparing(SagaInfo::createdAt).thenComparing(SagaInfo::sagaId);

    private final SagaOrchestrator orchestrator;

    /** Queries and actions through {@code orchestrator}. */
    public SagaQueries(SagaOrchestrator orchestrator) {
        this.orchestrator = orchestrator;
    }

    /** One page of the list. */
    public record Page(List<SagaInfo> items, Cursor next, boolean truncated) {
        public Page {
            items = List.copyOf(items);
        }
    }

    /**
     * Instances by saga name and status.
     *
     * @param byName saga name to status to count, names sorted
     * @param atLeast whether the counts stop at a limit and the real numbers may be higher
     */
    public record Counts(Map<String, Map<SagaStatus, Long>> byName, boolean atLeast) {
        /** The sum over every saga name of the instances in {@code status}. */
        public long total(SagaStatus status) {
            return byName.values().stream().mapToLong(m -> m.getOrDefault(status, 0L)).sum();
        }
    }

    /** The instance with this id, with its steps and history. */
    public Optional<SagaInfo> find(String id) {
        return orchestrator.find(id);
    }

    /** How many instances each saga has in each status. */
    public Counts counts() {
        // In memory until the core counts: the first MAX_LIMIT instances only.
        List<SagaInfo> all = orchestrator.list(SagaQuery.all().limit(SagaQuery.MAX_LIMIT));
        Map<String, Map<SagaStatus, Long>> byName = new TreeMap<>();
        for (SagaInfo info : all) {
            byName.computeIfAbsent(info.sagaName(), n -> new EnumMap<>(SagaStatus.class))
                    .merge(info.status(), 1L, Long::sum);
        }
        return new Counts(byName, all.size() == SagaQuery.MAX_LIMIT);
    }

    /** The first {@code size} instances in {@code status}, oldest first. */
    public List<SagaInfo> oldest(SagaStatus status, int size) {
        return orchestrator.list(SagaQuery.withStatus(status).limit(size));
    }

    /**
     * RUNNING instances that have waited for a reply since before {@code waitingSince}, oldest first. An
     * instance is not written while it waits, so its last write is when the wait began (or when a node last
     * claimed it).
     */
    public List<SagaInfo> awaitingReply(Instant waitingSince, int size) {
        List<SagaInfo> found = new ArrayList<>();
        for (SagaInfo info : orchestrator.list(SagaQuery.withStatus(SagaStatus.RUNNING).updatedBefore(waitingSince)
                .limit(SagaQuery.MAX_LIMIT))) {
            if (info.steps().stream().anyMatch(s -> s.status() == StepStatus.AWAITING_REPLY)) {
                found.add(info);
                if (found.size() == size) {
                    break;
                }
            }
        }
        return found;
    }

    /**
     * The page of instances that {@code filter} selects, starting after its cursor.
     *
     * @param knownNames the saga names to look an idempotency key up in when the filter names none
     */
    public Page page(ListFilter filter, int size, Instant now, Iterable<String> knownNames) {
        if (filter.id() != null) {
            return single(find(filter.id()), filter, now);
        }
        if (filter.idempotencyKey() != null) {
            List<SagaInfo> found = new ArrayList<>();
            Iterable<String> names = filter.name() != null ? List.of(filter.name()) : knownNames;
            for (String name : names) {
                orchestrator.findByIdempotencyKey(name, filter.idempotencyKey())
                        .filter(matches(filter, now)).ifPresent(found::add);
            }
            found.sort(ORDER);
            return new Page(found, null, false);
        }
        SagaQuery query = filter.status() == null ? SagaQuery.all() : SagaQuery.withStatus(filter.status());
        if (filter.name() != null) {
            query = query.sagaName(filter.name());
        }
        if (filter.idle() != null) {
            query = query.updatedBefore(now.minus(filter.idle()));
        }
        // Without a cursor or a filter the store cannot apply, the store's own limit is enough; otherwise
        // the page is cut out of the first MAX_LIMIT instances in memory.
        boolean inMemory = filter.after() != null || filter.age() != null;
        List<SagaInfo> rows = orchestrator.list(query.limit(inMemory ? SagaQuery.MAX_LIMIT : size + 1));
        List<SagaInfo> page = new ArrayList<>(size + 1);
        Predicate<SagaInfo> selected = matches(filter, now);
        for (SagaInfo info : rows) {
            if (selected.test(info)) {
                page.add(info);
                if (page.size() > size) {
                    break;
                }
            }
        }
        boolean truncated = inMemory && rows.size() == SagaQuery.MAX_LIMIT && page.size() <= size;
        if (page.size() > size) {
            page.remove(size);
            SagaInfo last = page.get(size - 1);
            return new Page(page, new Cursor(last.createdAt(), last.sagaId()), false);
        }
        return new Page(page, null, truncated);
    }

    /**
     * Retries a FAILED instance on behalf of {@code user}.
     *
     * @throws dev.sagaflow.SagaException as {@link SagaOrchestrator#retry(String)} does
     */
    public void retry(String id, ConsoleUser user) {
        // The core records SAGA_RETRIED without an actor yet: who did it goes to the log.
        orchestrator.retry(id);
        log.info("console: {} retried saga instance {}", user, id);
    }

    /**
     * Aborts a RUNNING instance on behalf of {@code user}; the reason recorded in its history names the user.
     *
     * @throws dev.sagaflow.SagaException as {@link SagaOrchestrator#abort(String, String)} does
     */
    public void abort(String id, String reason, ConsoleUser user) {
        orchestrator.abort(id, abortDetail(reason, user));
        log.info("console: {} aborted saga instance {}: {}", user, id, reason);
    }

    /** What the history records for an abort from the console, until the core takes an actor. */
    static String abortDetail(String reason, ConsoleUser user) {
        return reason + " (aborted by " + user.name() + " in the console)";
    }

    private Page single(Optional<SagaInfo> info, ListFilter filter, Instant now) {
        return new Page(info.filter(matches(filter, now)).map(List::of).orElse(List.of()), null, false);
    }

    private static Predicate<SagaInfo> matches(ListFilter filter, Instant now) {
        SagaInfo after = filter.after() == null ? null : cursorProbe(filter.after());
        return info -> (filter.name() == null || filter.name().equals(info.sagaName()))
                && (filter.status() == null || filter.status() == info.status())
                && (filter.age() == null || info.createdAt().isBefore(now.minus(filter.age())))
                && (filter.idle() == null || info.updatedAt().isBefore(now.minus(filter.idle())))
                && (after == null || ORDER.compare(info, after) > 0);
    }

    private static SagaInfo cursorProbe(Cursor cursor) {
        return new SagaInfo(cursor.id(), "", 0, SagaStatus.RUNNING, null, "{}", List.of(), List.of(),
                cursor.createdAt(), cursor.createdAt(), null, null);
    }
}
