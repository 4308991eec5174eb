package dev.sagaflow.internal;

import dev.sagaflow.SagaDataException;
import dev.sagaflow.SagaDefinition;
import dev.sagaflow.SagaEventType;
import dev.sagaflow.SagaExecution;
import dev.sagaflow.SagaOutcome;
import dev.sagaflow.SagaStatus;
import dev.sagaflow.SagaStoreException;
import dev.sagaflow.spi.MetadataProvider;
import dev.sagaflow.store.HistoryEntry;
import dev.sagaflow.store.InstanceWrite;
import dev.sagaflow.store.SagaData;
import dev.sagaflow.store.SagaInstance;
import dev.sagaflow.store.StepState;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starting sagas: the data checked (encoded, within the limits, read back), the first state inserted, an insert
 * whose outcome is unknown resolved by reading back, an idempotency key that was used already answered with the
 * saga it started. Thread-safe.
 */
final class Starts {
    private static final Logger log = LoggerFactory.getLogger(Starts.class);
    private static final int INSERT_TRIES = 3;

    private final Orchestrator node;

    Starts(Orchestrator node) {
        this.node = node;
    }

    <D> SagaExecution<D> start(SagaDefinition<D> given, D data, String idempotencyKey, boolean inline) {
        return start(given, data, idempotencyKey, inline, Map.of());
    }

    /** Starts a saga; {@code links} are metadata entries of the runtime's own (a child's parent), kept as given. */
    <D> SagaExecution<D> start(SagaDefinition<D> given, D data, String idempotencyKey, boolean inline,
            Map<String, String> links) {
        Checks.notNull(given, "definition");
        node.checkOpen(given.name());
        // The registered definition's handlers run, as they will on recovery; the given one only names it.
        RegisteredSaga<D> saga = node.definitions().registered(given);
        SagaDefinition<D> definition = saga.definition();
        if (data == null) {
            throw new IllegalArgumentException("saga '" + definition.name() + "': data cannot be null");
        }
        if (idempotencyKey != null) {
            Optional<SagaInstance> existing = node.store().findByIdempotencyKey(definition.name(), idempotencyKey);
            if (existing.isPresent()) {
                return existingExecution(saga, existing.get());
            }
        }
        Instant now = node.now();
        String id = newId();
        SagaData encoded = checkedData(definition, id, data);
        SagaInstance instance = firstInstance(saga, id, encoded, idempotencyKey, now, metadata(definition, id, links));
        HistoryEntry started = new HistoryEntry(id, now, SagaEventType.SAGA_STARTED, null, 0, null);
        SagaRun<D> run = new SagaRun<>(node, saga, instance, data);
        SagaRun<?> claimedMeanwhile;
        // While it starts, recovery's reconciliation leaves the instance to this call instead of taking it for an
        // insert whose answer was lost, which it would claim and resume beside this run.
        node.markStarting(id);
        try {
            if (!insert(definition, InstanceWrite.of(instance, List.of(started), node.leaseDuration()))) {
                SagaInstance existing = node.store().findByIdempotencyKey(definition.name(), idempotencyKey)
                        .orElseThrow(() -> new SagaStoreException("the store refused a new instance of saga '"
                                + definition.name() + "' with idempotency key '" + idempotencyKey
                                + "' but holds none with that key", id, null));
                return existingExecution(saga, existing);
            }
            claimedMeanwhile = node.registerStarted(run);
        } finally {
            node.markStarted(id);
        }
        node.emit(started, definition.name());
        if (claimedMeanwhile != null) {
            // This node's reconciliation found the instance (its insert answered late) and drives it already.
            return new SagaExecution<>(id, false, Orchestrator.outcomeOf(claimedMeanwhile));
        }
        if (node.isClosed()) {
            // Closed while this saga started: it goes on from the store when a node resumes it.
            node.forget(run);
            run.stop(node.closedException(definition.name(), id));
            return new SagaExecution<>(id, false, run.outcome());
        }
        log.debug("saga {} ({}) started", id, definition.name());
        if (inline) {
            run.resume(false);
        } else {
            node.execute(() -> run.resume(false));
        }
        return new SagaExecution<>(id, false, run.outcome());
    }

    /** The data encoded, checked against the length limit and read back, so that what starts can be resumed. */
    private <D> SagaData checkedData(SagaDefinition<D> definition, String id, D data) {
        SagaData encoded = SagaData.ofValue(data, node.codec());
        String json;
        try {
            json = encoded.json();
        } catch (SagaDataException e) {
            throw new SagaDataException("saga data cannot be stored: " + e.getMessage(), definition.name(), id,
                    e.getCause());
        }
        int limit = node.maxDataLength();
        if (json.length() > limit) {
            throw new SagaDataException("saga data of " + json.length() + " characters is longer than the limit of "
                    + limit + " (SagaOrchestrator.Builder.maxDataLength and the store's own)", definition.name(), id,
                    null);
        }
        try {
            if (node.codec().decode(json, definition.dataType()) == null) {
                throw new IllegalArgumentException("it reads back as null");
            }
        } catch (Exception e) {
            throw new SagaDataException("saga data of type " + data.getClass().getName() + " serialises but cannot be"
                    + " read back as " + definition.dataType().getName() + ": " + e.getMessage(), definition.name(), id,
                    e);
        }
        return encoded;
    }

    /**
     * Inserts the first state. A failure whose outcome is unknown is resolved by reading back; an insert that did
     * not land is tried again (it is idempotent by id).
     *
     * @return {@code false} if the idempotency key is taken
     * @throws SagaStoreException if the outcome stays unknown: the saga may have been recorded, and if so runs
     */
    private boolean insert(SagaDefinition<?> definition, InstanceWrite write) {
        String id = write.instance().id();
        for (int attempt = 1; ; attempt++) {
            SagaStoreException failure;
            try {
                return node.store().insert(write);
            } catch (SagaDataException e) {
                throw new SagaDataException("saga data cannot be stored: " + e.getMessage(), definition.name(), id,
                        e.getCause());
            } catch (IllegalArgumentException e) {
                if (attempt > 1 && node.store().find(id).isPresent()) {
                    return true;
                }
                throw e;
            } catch (SagaStoreException e) {
                if (e.isPermanent()) {
                    throw new SagaStoreException("the store refused saga '" + definition.name() + "' for good: "
                            + e.getMessage(), id, e, SagaStoreException.Failure.PERMANENT);
                }
                failure = e;
            }
            try {
                if (node.store().find(id).isPresent()) {
                    return true;
                }
            } catch (RuntimeException readFailure) {
                failure.addSuppressed(readFailure);
                throw unknownStart(definition, id, failure);
            }
            if (attempt >= INSERT_TRIES) {
                throw new SagaStoreException("saga '" + definition.name() + "' could not be started: the store failed "
                        + INSERT_TRIES + " times and holds no such instance: " + failure.getMessage(), id, failure,
                        SagaStoreException.Failure.TRANSIENT);
            }
        }
    }

    private SagaStoreException unknownStart(SagaDefinition<?> definition, String id, SagaStoreException cause) {
        return new SagaStoreException("saga '" + definition.name() + "' may or may not have started: the store"
                + " failed and could not be read back (" + cause.getMessage() + "). If it was recorded, it runs; look it"
                + " up with find(sagaId), or start it again with the same idempotency key", id, cause,
                SagaStoreException.Failure.OUTCOME_UNKNOWN);
    }

    /** The metadata the providers give a new instance, checked against the bounds. */
    private Map<String, String> metadata(SagaDefinition<?> definition, String id, Map<String, String> links) {
        if (node.metadataProviders().isEmpty()) {
            return links;
        }
        Map<String, String> merged = new LinkedHashMap<>();
        for (MetadataProvider provider : node.metadataProviders()) {
            Map<String, String> given = provider.metadata(definition.name(), id);
            if (given != null) {
                merged.putAll(given);
            }
        }
        if (merged.size() > MetadataProvider.MAX_ENTRIES) {
            throw new IllegalArgumentException("saga '" + definition.name() + "': the metadata providers gave "
                    + merged.size() + " entries; at most " + MetadataProvider.MAX_ENTRIES + " are kept");
        }
        merged.forEach((key, value) -> {
            Checks.name(key, MetadataProvider.MAX_LENGTH, "saga '" + definition.name() + "': a metadata key");
            if (value == null || value.length() > MetadataProvider.MAX_LENGTH || value.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("saga '" + definition.name() + "': metadata '" + key
                        + "' must be a value of at most " + MetadataProvider.MAX_LENGTH + " characters without U+0000");
            }
        });
        merged.putAll(links);
        return merged;
    }

    private <D> SagaInstance firstInstance(RegisteredSaga<D> saga, String id, SagaData data, String key, Instant now,
            Map<String, String> metadata) {
        SagaDefinition<D> definition = saga.definition();
        StepState[] steps = InstanceStates.firstSteps(definition, saga.pendingSteps(), now);
        Instant deadline = definition.timeout().map(now::plus).orElse(null);
        return new SagaInstance(id, definition.name(), definition.version(), definition.fingerprint(), key,
                SagaStatus.RUNNING, data, List.of(steps), now, now, deadline, node.nodeId(), null, 1, null, metadata);
    }

    private <D> SagaExecution<D> existingExecution(RegisteredSaga<D> saga, SagaInstance existing) {
        return new SagaExecution<>(existing.id(), true, node.outcomeOf(saga, existing));
    }

    /**
     * A random (version 4) UUID from the thread's own generator: unique for all practical purposes,
     * and unlike {@code UUID.randomUUID()} it takes no lock shared by every starting thread. Ids are
     * not secrets; hosts authenticate whoever delivers replies.
     */
    private static String newId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long high = (random.nextLong() & ~0xF000L) | 0x4000L;
        long low = (random.nextLong() & ~(0xC000L << 48)) | (0x8000L << 48);
        return new UUID(high, low).toString();
    }
}
