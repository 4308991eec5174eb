package dev.sagaflow.internal;

import dev.sagaflow.SagaDataException;
import dev.sagaflow.SagaInfo;
import dev.sagaflow.UnknownSagaException;
import dev.sagaflow.store.HistoryEntry;
import dev.sagaflow.store.SagaCount;
import dev.sagaflow.store.SagaInstance;
import dev.sagaflow.store.SagaQuery;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What operators read and purge: instances as {@link SagaInfo}, counts, children. Thread-safe. */
final class Queries {
    private static final Logger log = LoggerFactory.getLogger(Queries.class);
    private static final int PURGE_BATCH = 1000;

    private final Orchestrator node;

    Queries(Orchestrator node) {
        this.node = node;
    }

    Optional<SagaInfo> find(String sagaId) {
        Checks.notBlank(sagaId, "sagaId");
        return node.store().find(sagaId).map(instance -> info(instance, node.store().history(sagaId)));
    }

    List<SagaInfo> children(String sagaId) {
        Checks.notBlank(sagaId, "sagaId");
        SagaInstance parent = node.store().find(sagaId)
                .orElseThrow(() -> new UnknownSagaException("no such saga instance", null, sagaId));
        RegisteredSaga<?> saga = node.definitions().resolve(parent, node.nodeId());
        return node.children().children(parent, saga.definition()).stream().map(child -> info(child, List.of()))
                .toList();
    }

    Optional<SagaInfo> findByIdempotencyKey(String sagaName, String idempotencyKey) {
        Checks.notBlank(sagaName, "sagaName");
        Checks.notBlank(idempotencyKey, "idempotencyKey");
        return node.store().findByIdempotencyKey(sagaName, idempotencyKey)
                .map(instance -> info(instance, node.store().history(instance.id())));
    }

    List<SagaInfo> list(SagaQuery query) {
        Checks.notNull(query, "query");
        return node.store().query(query).stream().map(instance -> info(instance, List.of())).toList();
    }

    List<SagaCount> count(SagaQuery query) {
        Checks.notNull(query, "query");
        return node.store().count(query);
    }

    int purgeFinished(Instant finishedBefore) {
        Checks.notNull(finishedBefore, "finishedBefore");
        int total = 0;
        int purged;
        do {
            purged = node.store().purgeFinished(finishedBefore, PURGE_BATCH);
            total += purged;
        } while (purged == PURGE_BATCH);
        log.info("purged {} finished saga instance(s) last written before {}", total, finishedBefore);
        return total;
    }

    /** An instance as operators see it; its data decoded when this node has its definition. */
    private SagaInfo info(SagaInstance instance, List<HistoryEntry> history) {
        Object data = null;
        RegisteredSaga<?> saga = node.definitions().lookup(instance);
        if (saga != null && saga.definition().fingerprint().equals(instance.fingerprint())) {
            try {
                data = instance.data().decode(saga.definition().dataType(), node.codec());
            } catch (SagaDataException e) {
                log.debug("data of saga {} cannot be read: {}", instance.id(), e.getMessage());
            }
        }
        return new SagaInfo(instance.id(), instance.sagaName(), instance.sagaVersion(), instance.status(), data,
                instance.data().json(), instance.steps(), history, instance.createdAt(), instance.updatedAt(),
                instance.owner(), instance.error(), instance.idempotencyKey(), instance.metadata());
    }
}
