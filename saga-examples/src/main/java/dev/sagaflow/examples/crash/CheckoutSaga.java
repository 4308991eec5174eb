package dev.sagaflow.examples.crash;

import dev.sagaflow.Saga;
import dev.sagaflow.SagaDefinition;

/**
 * The checkout saga: {@value #RESERVE_STOCK} (compensated by releasing it), the pivot
 * {@value #CHARGE_PAYMENT}, then {@value #SHIP_ORDER}. The worker that is killed and the one that
 * resumes build it from the same code, so its name, version and steps, and so its fingerprint, match.
 */
public final class CheckoutSaga {
    /** The saga's name. */
    public static final String NAME = "checkout-saga";
    /** Step 1. */
    public static final String RESERVE_STOCK = "reserve-stock";
    /** Step 2, the pivot, where the demo's worker is killed. */
    public static final String CHARGE_PAYMENT = "charge-payment";
    /** Step 3. */
    public static final String SHIP_ORDER = "ship-order";

    private CheckoutSaga() {
    }

    /** The definition over {@code fulfilment}. */
    public static SagaDefinition<Checkout> definition(Fulfilment fulfilment) {
        return Saga.define(NAME, Checkout.class)
                .step(RESERVE_STOCK)
                    .action((checkout, context) -> {
                        fulfilment.reserveStock(context.idempotencyKey(), checkout);
                        return checkout;
                    })
                    .compensation((checkout, context) -> {
                        fulfilment.releaseStock(context.correlationId(), checkout);
                        return checkout;
                    })
                .pivot(CHARGE_PAYMENT)
                    .action((checkout, context) -> {
                        fulfilment.chargePayment(context.idempotencyKey(), checkout);
                        return checkout;
                    })
                .step(SHIP_ORDER)
                    .action((checkout, context) -> {
                        fulfilment.ship(context.idempotencyKey(), checkout);
                        return checkout;
                    })
                .build();
    }
}
