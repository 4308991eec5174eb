/**
 * The order saga over a real RabbitMQ, as two processes that share only the broker: {@link
 * dev.sagaflow.rabbitmq.example.OrderServiceMain} (the order service: orchestrator and transactional outbox on the
 * JDBC store on embedded H2, {@code OutboxRelay} to {@code RabbitMessageSender}, {@code RabbitReplyListener}) starts
 * {@link dev.sagaflow.rabbitmq.example.CustomerServiceMain} (the customer service: credit limits, a ledger, commands
 * deduplicated by idempotency key) as a second JVM, places a handful of orders and prints their outcomes beside the
 * customer service's ledger.
 */
package dev.sagaflow.rabbitmq.example;
