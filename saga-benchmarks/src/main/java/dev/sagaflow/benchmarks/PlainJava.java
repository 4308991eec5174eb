package dev.sagaflow.benchmarks;

import dev.sagaflow.BusinessRejection;

/** Baseline: the saga written by hand as plain Java with try/catch compensation. */
final class PlainJava implements Workload {
    @Override
    public String name() {
        return "plain-java";
    }

    @Override
    public Database database() {
        return null;
    }

    @Override
    public Caller caller(int index) {
        return (order, fail) -> {
            Order data = Handlers.reserveCredit(order);
            data = Handlers.reserveInventory(data);
            try {
                data = Handlers.approve(data);
            } catch (BusinessRejection rejected) {
                data = Handlers.releaseInventory(data);
                data = Handlers.releaseCredit(data);
            }
            data.verify(fail);
        };
    }
}
