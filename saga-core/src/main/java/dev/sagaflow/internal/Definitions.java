package dev.sagaflow.internal;

import dev.sagaflow.DefinitionMismatchException;
import dev.sagaflow.SagaDefinition;
import dev.sagaflow.UnknownSagaException;
import dev.sagaflow.store.OutboxStore;
import dev.sagaflow.store.SagaInstance;
import dev.sagaflow.store.SagaStore;
import dev.sagaflow.store.StepState;
import dev.sagaflow.store.TransactionalSagaStore;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The definitions an orchestrator can start and resume, by name and version, by fingerprint, and by identity
 * (so that {@code start} finds a registered definition without building a key). Immutable and thread-safe.
 */
final class Definitions {
    private final Map<String, RegisteredSaga<?>> byKey = new HashMap<>();
    private final Map<SagaDefinition<?>, RegisteredSaga<?>> byIdentity = new IdentityHashMap<>();
    private final Set<String> fingerprints = new HashSet<>();

    /**
     * @throws IllegalArgumentException if two definitions share a name and version, or a local step needs a
     *     transactional store that {@code store} is not
     */
    Definitions(List<SagaDefinition<?>> definitions, SagaStore store) {
        for (SagaDefinition<?> definition : definitions) {
            RegisteredSaga<?> registered = new RegisteredSaga<>(definition);
            RegisteredSaga<?> previous = byKey.putIfAbsent(key(definition.name(), definition.version()), registered);
            if (previous != null && previous.definition() != definition) {
                throw new IllegalArgumentException("two definitions of saga '" + definition.name() + "' version "
                        + definition.version() + " are registered; bump the version of the newer one");
            }
            byIdentity.putIfAbsent(definition, previous != null ? previous : registered);
            fingerprints.add(definition.fingerprint());
            requireTransactionsForLocalSteps(definition, store);
        }
    }

    private static void requireTransactionsForLocalSteps(SagaDefinition<?> definition, SagaStore store) {
        for (var step : definition.steps()) {
            if (step.isLocal() && !(store instanceof TransactionalSagaStore)) {
                throw new IllegalArgumentException("saga '" + definition.name() + "' step '" + step.name()
                        + "' is local(), which needs a store with transactions (the JDBC store); "
                        + store.getClass().getSimpleName() + " has none");
            }
            if (step.sendsCommands() && !(store instanceof OutboxStore)) {
                throw new IllegalArgumentException("saga '" + definition.name() + "' step '" + step.name()
                        + "' sends commands, which needs a store with an outbox (the in-memory and JDBC stores); "
                        + store.getClass().getSimpleName() + " has none");
            }
        }
    }

    /** The fingerprints of every registered definition. */
    Set<String> fingerprints() {
        return fingerprints;
    }

    boolean isEmpty() {
        return byKey.isEmpty();
    }

    /**
     * The registered definition that {@code given} names: {@code given} itself, or the one registered under its
     * name and version, which must have the same steps.
     *
     * @throws UnknownSagaException if none is registered under that name and version
     * @throws DefinitionMismatchException if the registered one has other steps
     */
    @SuppressWarnings("unchecked")
    <D> RegisteredSaga<D> registered(SagaDefinition<D> given) {
        RegisteredSaga<?> same = byIdentity.get(given);
        if (same != null) {
            return (RegisteredSaga<D>) same;
        }
        RegisteredSaga<?> registered = byKey.get(key(given.name(), given.version()));
        if (registered == null) {
            throw new UnknownSagaException("saga '" + given.name() + "' version " + given.version()
                    + " is not registered; register it with SagaOrchestrator.builder(store).register(...); registered: "
                    + describe(), given.name(), null);
        }
        if (!registered.definition().fingerprint().equals(given.fingerprint())) {
            throw new DefinitionMismatchException("another definition of saga '" + given.name() + "' version "
                    + given.version() + " is registered, with steps " + registered.definition().stepNames()
                    + " instead of " + given.stepNames() + "; bump the version of the changed one", given.name(), null);
        }
        return (RegisteredSaga<D>) registered;
    }

    /** The registered definition of {@code instance}'s name and version, or {@code null}; fingerprint not checked. */
    RegisteredSaga<?> lookup(SagaInstance instance) {
        return byKey.get(key(instance.sagaName(), instance.sagaVersion()));
    }

    /**
     * The registered definition that can resume {@code instance}.
     *
     * @throws UnknownSagaException if none is registered under its name and version
     * @throws DefinitionMismatchException if the registered one has other steps
     */
    RegisteredSaga<?> resolve(SagaInstance instance, String nodeId) {
        RegisteredSaga<?> registered = lookup(instance);
        if (registered == null) {
            throw new UnknownSagaException("saga '" + instance.sagaName() + "' version " + instance.sagaVersion()
                    + " is not registered on node " + nodeId + "; registered: " + describe(), instance.sagaName(),
                    instance.id());
        }
        SagaDefinition<?> definition = registered.definition();
        if (!definition.fingerprint().equals(instance.fingerprint())) {
            List<String> storedSteps = instance.steps().stream().map(StepState::name).toList();
            throw new DefinitionMismatchException("the instance was started by saga '" + instance.sagaName()
                    + "' version " + instance.sagaVersion() + " with steps " + storedSteps + " (fingerprint "
                    + instance.fingerprint() + "), but the registered definition of that name and version has steps "
                    + definition.stepNames() + " (fingerprint " + definition.fingerprint() + "); register the original"
                    + " definition to resume it, and give changed steps a new version", instance.sagaName(),
                    instance.id());
        }
        return registered;
    }

    /** Every registered name and version, sorted, for messages and the start-up log line. */
    String describe() {
        return byKey.values().stream().map(r -> r.name() + " v" + r.definition().version()).sorted().toList()
                .toString();
    }

    private static String key(String name, int version) {
        return name + "@" + version;
    }
}
