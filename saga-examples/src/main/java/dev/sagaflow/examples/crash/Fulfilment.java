package dev.sagaflow.examples.crash;

import dev.sagaflow.examples.support.Database;
import dev.sagaflow.examples.support.Timeline;
import java.util.List;
import java.util.function.Consumer;

/**
 * The checkout's participants (warehouse, payment gateway, shipping), which record every effect in
 * one table, {@code effects}, keyed by the request's idempotency key: a request made again (after a
 * crash) finds its effect recorded and does nothing more. Thread-safe.
 */
public final class Fulfilment {
    private final Database database;
    private final Timeline timeline;
    private final Consumer<String> afterCharge;

    /**
     * @param afterCharge runs, with the payment's key, after a payment is recorded and before the
     *     gateway answers: the crash demo's worker makes it hang, so that it is killed with the step in flight
     */
    public Fulfilment(Database database, Timeline timeline, Consumer<String> afterCharge) {
        this.database = database;
        this.timeline = timeline;
        this.afterCharge = afterCharge;
        database.execute("CREATE TABLE IF NOT EXISTS effects (idempotency_key VARCHAR(200) PRIMARY KEY,"
                + " order_id VARCHAR(40) NOT NULL, effect VARCHAR(40) NOT NULL,"
                + " seq BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE)");
    }

    /** Holds the order's items in the warehouse. */
    public void reserveStock(String key, Checkout checkout) {
        record(key, checkout, "stock reserved");
    }

    /** Puts the items back (the compensation of {@link #reserveStock}). */
    public void releaseStock(String reservationKey, Checkout checkout) {
        if (database.update("DELETE FROM effects WHERE idempotency_key = ?", reservationKey) > 0) {
            timeline.note("Warehouse", "released the stock of " + checkout.orderId());
        }
    }

    /** Charges the customer. */
    public void chargePayment(String key, Checkout checkout) {
        record(key, checkout, "payment charged");
        afterCharge.accept(key);
    }

    /** Ships the parcel. */
    public void ship(String key, Checkout checkout) {
        record(key, checkout, "parcel shipped");
    }

    /** The effects recorded for an order, oldest first. */
    public List<String> effectsOf(String orderId) {
        return database.query("SELECT effect FROM effects WHERE order_id = ? ORDER BY seq",
                row -> row.getString(1), orderId);
    }

    private void record(String key, Checkout checkout, String effect) {
        int inserted = database.update("INSERT INTO effects (idempotency_key, order_id, effect) SELECT ?, ?, ?"
                + " WHERE NOT EXISTS (SELECT 1 FROM effects WHERE idempotency_key = ?)", key, checkout.orderId(),
                effect, key);
        timeline.note("Fulfilment", inserted == 1
                ? checkout.orderId() + ": " + effect
                : checkout.orderId() + ": " + effect + " already (same key), nothing done again");
    }
}
