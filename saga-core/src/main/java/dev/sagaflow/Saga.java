package dev.sagaflow;

/**
 * Where saga definitions start:
 *
 * <pre>{@code
 * SagaDefinition<Order> createOrder = Saga.define("create-order", Order.class)
 *     .step("create-pending-order").action(orders::createPending).compensation(orders::reject)
 *     .step("reserve-credit").action(customers::reserveCredit).compensation(customers::releaseCredit)
 *         .retry(RetryPolicy.exponential(Duration.ofMillis(50), 5)).timeout(Duration.ofSeconds(2))
 *     .pivot("approve-order").action(orders::approve)
 *     .step("send-confirmation").action(mail::confirm)
 *     .build();
 * }</pre>
 */
public final class Saga {
    private Saga() {
    }

    /**
     * Starts a definition.
     *
     * @param name the saga's name, stable across versions (it is stored with every instance)
     * @param dataType the type of the saga data
     * @throws IllegalArgumentException if the name is blank or the type null
     */
    public static <D> SagaDefinition.Builder<D> define(String name, Class<D> dataType) {
        return new SagaDefinition.Builder<>(name, dataType);
    }
}
