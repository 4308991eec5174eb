/**
 * The order saga, orchestrated. The Order Service ({@link dev.sagaflow.examples.order.OrderService})
 * takes {@code POST /orders} ({@link dev.sagaflow.examples.order.OrderHttpApi}), creates the order
 * PENDING in its own table and starts the saga ({@link dev.sagaflow.examples.order.OrderSaga}); the
 * saga sends {@code ReserveCredit} to the Customer Service over a message channel and waits for the
 * reply; then it approves the order (the pivot) or, on a failure reply, rejects it. The Customer
 * Service ({@code order.customer}) has its own database; the two share only the messages in
 * {@code order.messages}. {@link dev.sagaflow.examples.order.OrderExample} wires them together.
 */
package dev.sagaflow.examples.order;
