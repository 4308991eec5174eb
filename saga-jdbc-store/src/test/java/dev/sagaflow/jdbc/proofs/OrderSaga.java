package dev.sagaflow.jdbc.proofs;

import dev.sagaflow.BusinessRejection;
import dev.sagaflow.Saga;
import dev.sagaflow.SagaDefinition;
import dev.sagaflow.StepAction;
import dev.sagaflow.StepContext;

/**
 * The saga most proofs run, the same in the parent and in the child JVM (so its fingerprint is the
 * same): {@code reserve} and {@code charge}, both compensated, then {@code confirm}, which rejects
 * orders marked {@code reject} and so makes the saga compensate {@code charge}, then {@code reserve}.
 */
final class OrderSaga {
    static final String NAME = "proof-order";

    /** The saga data. */
    public record Order(String ref, boolean reject) {
    }

    /** Runs inside a handler, after the participant has handled the call: where a test blocks or crashes. */
    @FunctionalInterface
    interface Pause {
        Pause NONE = context -> { };

        void after(StepContext context) throws Exception;
    }

    private OrderSaga() {
    }

    static SagaDefinition<Order> definition(Participant participant, Pause pause) {
        StepAction<Order> handle = (order, context) -> {
            participant.handle(context);
            pause.after(context);
            return order;
        };
        return Saga.define(NAME, Order.class)
                .step("reserve").action(handle).compensation(handle)
                .step("charge").action(handle).compensation(handle)
                .step("confirm").action((order, context) -> {
                    if (order.reject()) {
                        participant.call(context);
                        throw new BusinessRejection("order " + order.ref() + " was rejected");
                    }
                    participant.handle(context);
                    pause.after(context);
                    return order;
                })
                .build();
    }
}
