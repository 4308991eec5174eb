/**
 * The README's order service as a Spring Boot application. {@code POST /orders} starts the order saga
 * ({@link dev.sagaflow.examples.boot.OrderSaga}): {@code create-order} inserts the order PENDING in a local step,
 * {@code reserve-credit} asks the {@link dev.sagaflow.examples.boot.CustomerService} to hold the customer's credit,
 * and {@code approve-order} approves it; when the credit is refused the order is rejected. {@code GET /orders/{id}}
 * shows the order and its saga. Sagaflow comes from {@code saga-spring-boot-starter}: the store on the application's
 * {@code DataSource}, Actuator health and Micrometer metrics.
 */
package dev.sagaflow.examples.boot;
