package dev.sagaflow.internal;

import dev.sagaflow.SagaDefinition;
import dev.sagaflow.StepDefinition;
import dev.sagaflow.store.StepState;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A definition as an orchestrator registered it: the definition, each step's handlers adapted to the one
 * {@link Handler} type, and its steps' PENDING states (immutable, so every new instance shares them).
 * Immutable.
 *
 * @param <D> the saga data type
 */
final class RegisteredSaga<D> {
    private final SagaDefinition<D> definition;
    private final List<Handler<D>> actions;
    private final List<Handler<D>> compensations;
    private final StepState[] pendingSteps;
    private final boolean immutableData;

    RegisteredSaga(SagaDefinition<D> definition) {
        this.definition = definition;
        List<Handler<D>> actionList = new ArrayList<>();
        List<Handler<D>> compensationList = new ArrayList<>();
        for (StepDefinition<D> step : definition.steps()) {
            actionList.add(Handler.of(step.action(), step.asyncAction()));
            compensationList.add(Handler.of(step.compensation(), step.asyncCompensation()));
        }
        this.actions = Collections.unmodifiableList(actionList);
        this.compensations = Collections.unmodifiableList(compensationList);
        this.pendingSteps = new StepState[definition.steps().size()];
        for (int i = 0; i < pendingSteps.length; i++) {
            pendingSteps[i] = StepState.pending(definition.steps().get(i).name());
        }
        // A record's fields are final: an attempt that fails cannot have changed it (its components may still be
        // mutable collections; the runtime assumes a record type's data is used as a value).
        this.immutableData = definition.dataType().isRecord() || definition.dataType() == String.class;
    }

    SagaDefinition<D> definition() {
        return definition;
    }

    String name() {
        return definition.name();
    }

    /** The action (or compensation) of step {@code index}; {@code null} for a missing compensation. */
    Handler<D> handler(int index, boolean compensation) {
        return compensation ? compensations.get(index) : actions.get(index);
    }

    StepDefinition<D> step(int index) {
        return definition.steps().get(index);
    }

    /** A fresh copy of the PENDING states of every step. */
    StepState[] pendingSteps() {
        return pendingSteps.clone();
    }

    /**
     * Whether the data type's values cannot be changed in place (a record or a string), so that a failed
     * attempt needs no fresh copy of the last durable data.
     */
    boolean immutableData() {
        return immutableData;
    }
}
