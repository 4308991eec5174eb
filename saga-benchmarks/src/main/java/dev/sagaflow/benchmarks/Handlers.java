package dev.sagaflow.benchmarks;

import dev.sagaflow.BusinessRejection;

/** The trivial in-memory work of the create-order saga, shared by every configuration. */
final class Handlers {
    private Handlers() {
    }

    static Order reserveCredit(Order order) {
        order.creditReserved += order.amount;
        order.trail = order.trail * 10 + 1;
        Ledger.of(order.caller).creditReserved++;
        return order;
    }

    static Order releaseCredit(Order order) {
        order.creditReserved -= order.amount;
        order.trail = order.trail * 10 + 4;
        Ledger.of(order.caller).creditReleased++;
        return order;
    }

    static Order reserveInventory(Order order) {
        order.stockReserved += order.quantity;
        order.trail = order.trail * 10 + 2;
        Ledger.of(order.caller).stockReserved++;
        return order;
    }

    static Order releaseInventory(Order order) {
        order.stockReserved -= order.quantity;
        order.trail = order.trail * 10 + 5;
        Ledger.of(order.caller).stockReleased++;
        return order;
    }

    /** Rejects (a business rejection, never retried) orders above the credit limit. */
    static Order approve(Order order) {
        if (order.amount > Order.CREDIT_LIMIT) {
            Ledger.of(order.caller).rejected++;
            throw new BusinessRejection("credit limit exceeded for order " + order.id);
        }
        order.approved = true;
        order.trail = order.trail * 10 + 3;
        Ledger.of(order.caller).approved++;
        return order;
    }

    /** Undoes an approval; never runs in this workload (the saga fails at the approval itself). */
    static Order unapprove(Order order) {
        order.approved = false;
        order.trail = order.trail * 10 + 6;
        return order;
    }
}
