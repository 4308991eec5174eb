package dev.sagaflow.benchmarks;

import dev.sagaflow.BusinessRejection;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Baseline: the least a generic saga runtime must do in memory. An immutable list of steps, a loop forward, and
 * on a business rejection a loop backwards over the steps that succeeded, running their compensations.
 */
final class GenericInterpreter implements Workload {
    record Step(String name, UnaryOperator<Order> action, UnaryOperator<Order> compensation) {
    }

    enum Status { COMPLETED, COMPENSATED }

    record Outcome(Status status, Order data, String error) {
    }

    private static final List<Step> STEPS = List.of(
            new Step("reserve-credit", Handlers::reserveCredit, Handlers::releaseCredit),
            new Step("reserve-inventory", Handlers::reserveInventory, Handlers::releaseInventory),
            new Step("approve-order", Handlers::approve, Handlers::unapprove));

    static Outcome run(List<Step> steps, Order initial) {
        Order data = initial;
        int done = 0;
        try {
            for (Step step : steps) {
                data = step.action().apply(data);
                done++;
            }
            return new Outcome(Status.COMPLETED, data, null);
        } catch (BusinessRejection rejection) {
            for (int i = done - 1; i >= 0; i--) {
                data = steps.get(i).compensation().apply(data);
            }
            return new Outcome(Status.COMPENSATED, data, rejection.getMessage());
        }
    }

    @Override
    public String name() {
        return "interpreter";
    }

    @Override
    public Database database() {
        return null;
    }

    @Override
    public Caller caller(int index) {
        return (order, fail) -> {
            Outcome outcome = run(STEPS, order);
            if (outcome.status() != (fail ? Status.COMPENSATED : Status.COMPLETED)) {
                throw new IllegalStateException("interpreter ended " + outcome.status());
            }
            outcome.data().verify(fail);
        };
    }
}
