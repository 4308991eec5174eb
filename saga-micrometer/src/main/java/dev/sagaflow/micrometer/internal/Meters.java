package dev.sagaflow.micrometer.internal;

import dev.sagaflow.SagaStatus;
import dev.sagaflow.micrometer.SagaflowMetrics;
import dev.sagaflow.store.SagaInstance;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The meters and the live instances this node drives, shared by the store, the observer and the listener.
 * Meters with tags known in advance are cached so that the hot path makes no meter lookups.
 */
public final class Meters {
    /** The operations of {@code sagaflow.store.write}. */
    public enum Operation { INSERT, UPDATE, LOCAL, CLAIM, RENEW, RELEASE }

    /** The outcomes of {@code sagaflow.store.write}. */
    public enum Outcome { WRITTEN, CONFLICT, ERROR }

    private final MeterRegistry registry;
    private final ObservationRegistry observations;
    private final Timer[] storeWrites = new Timer[Operation.values().length * Outcome.values().length];
    private final Counter[] conflicts = new Counter[Operation.values().length];
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> active = new ConcurrentHashMap<>();
    private final Map<String, Driven> driven = new ConcurrentHashMap<>();

    public Meters(MeterRegistry registry, ObservationRegistry observations) {
        this.registry = registry;
        this.observations = observations;
        for (Operation operation : Operation.values()) {
            conflicts[operation.ordinal()] = Counter.builder(SagaflowMetrics.STORE_CONFLICTS)
                    .description("Store writes that lost their compare-and-set").tag("operation", name(operation))
                    .register(registry);
            for (Outcome outcome : Outcome.values()) {
                storeWrites[operation.ordinal() * Outcome.values().length + outcome.ordinal()] =
                        Timer.builder(SagaflowMetrics.STORE_WRITE).description("Store calls that write")
                                .tags("operation", name(operation), "outcome", name(outcome)).register(registry);
            }
        }
    }

    ObservationRegistry observations() {
        return observations;
    }

    void storeWrite(Operation operation, Outcome outcome, long nanos) {
        storeWrites[operation.ordinal() * Outcome.values().length + outcome.ordinal()].record(nanos, TimeUnit.NANOSECONDS);
        if (outcome == Outcome.CONFLICT) {
            conflicts[operation.ordinal()].increment();
        }
    }

    /** Increments the counter {@code name} with tags {@code keyValues}; counters are cached by name and tags. */
    void count(String name, String description, String... keyValues) {
        String key = name + '\0' + String.join("\0", keyValues);
        counters.computeIfAbsent(key, k -> Counter.builder(name).description(description).tags(Tags.of(keyValues))
                .register(registry)).increment();
    }

    // ---------------------------------------------------------------- instances this node drives

    /**
     * This node now drives {@code sagaId} (it started it, or took it over) as {@code owner}, having written its
     * version {@code version}: counted and observed from now.
     */
    void drive(String sagaId, String sagaName, SagaStatus status, String owner, long version) {
        Observation observation = Observation.createNotStarted(SagaflowMetrics.SAGA_EXECUTION, observations)
                .contextualName("saga " + sagaName)
                .lowCardinalityKeyValue("saga", sagaName)
                .highCardinalityKeyValue("sagaflow.saga.id", sagaId)
                .start();
        Driven previous = driven.put(sagaId, new Driven(sagaName, status, observation, owner, version));
        if (previous != null) {
            gauge(previous.sagaName, previous.status).decrementAndGet();
            stop(previous.observation, "handed_over");
        }
        gauge(sagaName, status).incrementAndGet();
    }

    /**
     * This node is about to write version {@code version} of {@code sagaId}: a read that returns it (before the
     * write's answer is back) shows this node's own write, not another's.
     */
    void writing(String sagaId, long version) {
        driven.computeIfPresent(sagaId, (id, current) -> version > current.version
                ? new Driven(current.sagaName, current.status, current.observation, current.owner, version) : current);
    }

    /** A write by this node moved {@code sagaId} to {@code status}; false if this node was not following it. */
    boolean moved(String sagaId, SagaStatus status) {
        Driven current = driven.get(sagaId);
        if (current == null) {
            return false;
        }
        if (status.isLive()) {
            if (status != current.status) {
                gauge(current.sagaName, current.status).decrementAndGet();
                gauge(current.sagaName, status).incrementAndGet();
                driven.put(sagaId, new Driven(current.sagaName, status, current.observation, current.owner,
                        current.version));
            }
        } else {
            stopFollowing(sagaId, current, status.name().toLowerCase(Locale.ROOT));
        }
        return true;
    }

    /**
     * A read returned {@code stored} ({@code null}: no such instance) for {@code sagaId}. If this node follows it
     * and the store holds it live under another owner, or finished by a write that was not this node's, this node
     * no longer drives it: the runtime finds out the same way (it re-reads before it acts, and
     * stops), so without this the instance would stay counted as active here. Returns the saga's name if it was
     * followed and is not any more.
     */
    String read(String sagaId, SagaInstance stored) {
        Driven current = driven.get(sagaId);
        if (current == null) {
            return null;
        }
        if (stored != null && stored.version() < current.version) {
            return null; // a read from before this node's last write
        }
        if (stored != null && (stored.status().isLive() ? Objects.equals(stored.owner(), current.owner)
                : stored.version() == current.version)) {
            return null; // still this node's; or this node's own last write, which ends it, read before its answer
        }
        return stopFollowing(sagaId, current, "handed_over") ? current.sagaName : null;
    }

    /** This node no longer drives {@code sagaId}; returns the saga's name, or null if it was not followed. */
    String handedOver(String sagaId) {
        Driven current = driven.get(sagaId);
        return current != null && stopFollowing(sagaId, current, "handed_over") ? current.sagaName : null;
    }

    /** This node let go of everything it drives (it closed, or released its leases). */
    void handedOverAll() {
        for (String sagaId : driven.keySet()) {
            handedOver(sagaId);
        }
    }

    /** Stops following {@code sagaId} if {@code current} is still how it is followed (once, whoever calls). */
    private boolean stopFollowing(String sagaId, Driven current, String outcome) {
        if (!driven.remove(sagaId, current)) {
            return false;
        }
        gauge(current.sagaName, current.status).decrementAndGet();
        stop(current.observation, outcome);
        return true;
    }

    /** The observation of the saga {@code sagaId}, or null if this node does not follow it. */
    Observation sagaObservation(String sagaId) {
        Driven current = driven.get(sagaId);
        return current == null ? null : current.observation;
    }

    private AtomicInteger gauge(String sagaName, SagaStatus status) {
        return active.computeIfAbsent(sagaName + '\0' + status.name(), key -> {
            AtomicInteger value = new AtomicInteger();
            Gauge.builder(SagaflowMetrics.SAGAS_ACTIVE, value, AtomicInteger::get)
                    .description("Live saga instances this node drives").tags("saga", sagaName, "status", status.name())
                    .register(registry);
            return value;
        });
    }

    private static void stop(Observation observation, String outcome) {
        observation.lowCardinalityKeyValue("outcome", outcome).stop();
    }

    private static String name(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }

    /** How this node follows one instance: the owner it writes as and the highest version it wrote (or is writing). */
    private record Driven(String sagaName, SagaStatus status, Observation observation, String owner, long version) {
    }
}
