package dev.sagaflow.spring.boot.internal;

import dev.sagaflow.SagaStoreException;
import dev.sagaflow.jdbc.JdbcSagaStore;
import dev.sagaflow.store.ClaimRequest;
import dev.sagaflow.store.HistoryEntry;
import dev.sagaflow.store.InstanceWrite;
import dev.sagaflow.store.LeaseRenewal;
import dev.sagaflow.store.NodeLease;
import dev.sagaflow.store.NodeRegistration;
import dev.sagaflow.store.OutboxMessage;
import dev.sagaflow.store.OutboxStore;
import dev.sagaflow.store.RecordedReply;
import dev.sagaflow.store.SagaCount;
import dev.sagaflow.store.SagaInstance;
import dev.sagaflow.store.SagaQuery;
import dev.sagaflow.store.TransactionalSagaStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JDBC store on the application's {@code DataSource}, built on first use: building it detects the dialect
 * (and creates the schema if asked), which needs the database, and the application must start while the database
 * is down. Until the store can be built every call throws {@link SagaStoreException}, which the runtime treats as
 * the store being unreachable (retried with backoff, recovery tried every poll interval). Thread-safe.
 */
public final class DeferredJdbcSagaStore implements TransactionalSagaStore, OutboxStore {
    private static final Logger log = LoggerFactory.getLogger(DeferredJdbcSagaStore.class);

    private final DataSource dataSource;
    private final Supplier<JdbcSagaStore> builder;
    private volatile JdbcSagaStore store;
    private boolean warned;

    /** Tries to build the store now; if the database is unreachable, tries again on each call. */
    public DeferredJdbcSagaStore(DataSource dataSource, Supplier<JdbcSagaStore> builder) {
        this.dataSource = dataSource;
        this.builder = builder;
        try {
            store();
        } catch (SagaStoreException e) {
            // Already logged; the application starts anyway.
        }
    }

    /** The data source the store writes to: a local step's connection comes from it. */
    public DataSource dataSource() {
        return dataSource;
    }

    private JdbcSagaStore store() {
        JdbcSagaStore built = store;
        if (built != null) {
            return built;
        }
        synchronized (this) {
            if (store == null) {
                try {
                    store = builder.get();
                    if (warned) {
                        log.info("Sagaflow: the database is reachable again; the JDBC store is ready");
                    }
                } catch (SagaStoreException e) {
                    if (!warned) {
                        warned = true;
                        log.warn("Sagaflow: the database is unreachable, so the JDBC store is not ready yet; the"
                                + " application starts anyway and Sagaflow resumes when the database is back: {}",
                                e.getMessage());
                    }
                    throw e;
                }
            }
            return store;
        }
    }

    @Override
    public Instant now() {
        return store().now();
    }

    @Override
    public boolean insert(InstanceWrite write) {
        return store().insert(write);
    }

    @Override
    public boolean update(long expectedVersion, InstanceWrite write) {
        return store().update(expectedVersion, write);
    }

    @Override
    public boolean updateWithLocalWork(long expectedVersion, LocalWork work) {
        return store().updateWithLocalWork(expectedVersion, work);
    }

    @Override
    public Optional<SagaInstance> find(String id) {
        return store().find(id);
    }

    @Override
    public Optional<SagaInstance> findByIdempotencyKey(String sagaName, String idempotencyKey) {
        return store().findByIdempotencyKey(sagaName, idempotencyKey);
    }

    @Override
    public List<HistoryEntry> history(String id) {
        return store().history(id);
    }

    @Override
    public List<SagaInstance> query(SagaQuery query) {
        return store().query(query);
    }

    @Override
    public List<SagaCount> count(SagaQuery query) {
        return store().count(query);
    }

    @Override
    public List<SagaInstance> claim(ClaimRequest request) {
        return store().claim(request);
    }

    @Override
    public NodeRegistration registerNode(NodeLease node) {
        return store().registerNode(node);
    }

    @Override
    public LeaseRenewal renewLeases(NodeLease node) {
        return store().renewLeases(node);
    }

    @Override
    public int releaseLeases(String owner) {
        return store().releaseLeases(owner);
    }

    @Override
    public void deregisterNode(NodeLease node) {
        store().deregisterNode(node);
    }

    @Override
    public boolean recordReply(RecordedReply reply) {
        return store().recordReply(reply);
    }

    @Override
    public List<RecordedReply> replies(String sagaId) {
        return store().replies(sagaId);
    }

    @Override
    public int purgeFinished(Instant finishedBefore, int limit) {
        return store().purgeFinished(finishedBefore, limit);
    }

    /** The built store's limit; before it is built, none (no write can happen before then). */
    @Override
    public int maxDataLength() {
        JdbcSagaStore built = store;
        return built == null ? Integer.MAX_VALUE : built.maxDataLength();
    }

    @Override
    public List<OutboxMessage> claimOutbox(String relay, Duration lease, int limit) {
        return store().claimOutbox(relay, lease, limit);
    }

    @Override
    public boolean markSent(String messageId, String relay) {
        return store().markSent(messageId, relay);
    }

    @Override
    public boolean markFailed(String messageId, String relay, String reason) {
        return store().markFailed(messageId, relay, reason);
    }

    @Override
    public List<FailedMessage> failedOutbox(int limit) {
        return store().failedOutbox(limit);
    }

    @Override
    public boolean retryOutbox(String messageId) {
        return store().retryOutbox(messageId);
    }

    @Override
    public int purgeSentOutbox(Instant sentBefore, int limit) {
        return store().purgeSentOutbox(sentBefore, limit);
    }

    @Override
    public String toString() {
        JdbcSagaStore built = store;
        return built != null ? built.toString() : "JdbcSagaStore (not built yet: the database has not answered)";
    }
}
