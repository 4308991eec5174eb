package dev.sagaflow.console.internal;

import dev.sagaflow.SagaInfo;
import dev.sagaflow.SagaOrchestrator;
import dev.sagaflow.SagaStatus;
import dev.sagaflow.StepStatus;
import dev.sagaflow.console.ConsoleUser;
import dev.sagaflow.console.internal.ListFilter.Cursor;
import dev.sagaflow.store.SagaCount;
import dev.sagaflow.store.SagaQuery;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything the console reads from and does to the orchestrator, in one place: the only class that
 * calls {@link SagaOrchestrator}. Every filter, count and page is the store's (keyset paging on creation
 * time and id, indexed), so the pages stay fast however many instances there are. Thread-safe.
 */
public final class SagaQueries {
    private static final Logger log = LoggerFactory.getLogger(SagaQueries.class);

    private final SagaOrchestrator orchestrator;

    /** Queries and actions through {@code orchestrator}. */
    public SagaQueries(SagaOrchestrator orchestrator) {
        this.orchestrator = orchestrator;
    }

    /** One page of the list, and the cursor of the next one ({@code null} on the last page). */
    public record Page(List<SagaInfo> items, Cursor next) {
        public Page {
            items = List.copyOf(items);
        }
    }

    /**
     * Instances by saga name and status.
     *
     * @param byName saga name to status to count, names sorted
     */
    public record Counts(Map<String, Map<SagaStatus, Long>> byName) {
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
        Map<String, Map<SagaStatus, Long>> byName = new TreeMap<>();
        for (SagaCount count : orchestrator.count(SagaQuery.all())) {
            byName.computeIfAbsent(count.sagaName(), n -> new EnumMap<>(SagaStatus.class))
                    .merge(count.status(), count.count(), Long::sum);
        }
        return new Counts(byName);
    }

    /** The first {@code size} instances in {@code status}, oldest first. */
    public List<SagaInfo> oldest(SagaStatus status, int size) {
        return orchestrator.list(SagaQuery.withStatus(status).limit(size));
    }

    /**
     * RUNNING instances that have waited for a reply since before {@code waitingSince}, oldest first. An
     * instance is not written while it waits, so its last write is when the wait began (or when a node last
     * claimed it): the store selects the RUNNING instances last written before then, page by page, and of those
     * the ones with a step awaiting a reply are kept.
     */
    public List<SagaInfo> awaitingReply(Instant waitingSince, int size) {
        List<SagaInfo> found = new ArrayList<>();
        SagaQuery query = SagaQuery.withStatus(SagaStatus.RUNNING).updatedBefore(waitingSince).limit(PAGE_SCAN);
        for (int pages = 0; pages < MAX_PAGES_SCANNED && found.size() < size; pages++) {
            List<SagaInfo> rows = orchestrator.list(query);
            for (SagaInfo info : rows) {
                if (found.size() < size && info.steps().stream().anyMatch(s -> s.status() == StepStatus.AWAITING_REPLY)) {
                    found.add(info);
                }
            }
            if (rows.size() < PAGE_SCAN) {
                break;
            }
            SagaInfo last = rows.get(rows.size() - 1);
            query = query.after(new SagaQuery.Position(last.createdAt(), last.sagaId()));
        }
        return found;
    }

    private static final int PAGE_SCAN = 500;
    /** Bounds the scan of the overview's panel: at most this many pages of idle RUNNING instances are read. */
    private static final int MAX_PAGES_SCANNED = 20;

    /** The page of instances that {@code filter} selects, starting after its cursor. */
    public Page page(ListFilter filter, int size, Instant now) {
        if (filter.id() != null) {
            return new Page(find(filter.id()).filter(info -> selects(filter, info, now)).map(List::of)
                    .orElse(List.of()), null);
        }
        SagaQuery query = filter.status() == null ? SagaQuery.all() : SagaQuery.withStatus(filter.status());
        if (filter.name() != null) {
            query = query.sagaName(filter.name());
        }
        if (filter.idle() != null) {
            query = query.updatedBefore(now.minus(filter.idle()));
        }
        if (filter.age() != null) {
            query = query.createdBefore(now.minus(filter.age()));
        }
        if (filter.idempotencyKey() != null) {
            query = query.idempotencyKey(filter.idempotencyKey());
        }
        if (filter.after() != null) {
            query = query.after(new SagaQuery.Position(filter.after().createdAt(), filter.after().id()));
        }
        List<SagaInfo> rows = new ArrayList<>(orchestrator.list(query.limit(size + 1)));
        if (rows.size() > size) {
            rows.remove(size);
            SagaInfo last = rows.get(size - 1);
            return new Page(rows, new Cursor(last.createdAt(), last.sagaId()));
        }
        return new Page(rows, null);
    }

    /**
     * Retries a FAILED instance on behalf of {@code user}, who is recorded in its history.
     *
     * @throws dev.sagaflow.SagaException as {@link SagaOrchestrator#retry(String, String)} does
     */
    public void retry(String id, ConsoleUser user) {
        orchestrator.retry(id, user.name());
        log.info("console: {} retried saga instance {}", user, id);
    }

    /**
     * Aborts a RUNNING instance on behalf of {@code user}, who is recorded in its history with the reason.
     *
     * @throws dev.sagaflow.SagaException as {@link SagaOrchestrator#abort(String, String, String)} does
     */
    public void abort(String id, String reason, ConsoleUser user) {
        orchestrator.abort(id, reason, user.name());
        log.info("console: {} aborted saga instance {}: {}", user, id, reason);
    }

    /** Whether an instance found by id also passes the list's other filters. */
    private static boolean selects(ListFilter filter, SagaInfo info, Instant now) {
        return (filter.name() == null || filter.name().equals(info.sagaName()))
                && (filter.status() == null || filter.status() == info.status())
                && (filter.age() == null || info.createdAt().isBefore(now.minus(filter.age())))
                && (filter.idle() == null || info.updatedAt().isBefore(now.minus(filter.idle())))
                && (filter.idempotencyKey() == null || filter.idempotencyKey().equals(info.idempotencyKey()));
    }
}
