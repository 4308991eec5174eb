/**
 * Commands and replies over RabbitMQ (AMQP 0-9-1, amqp-client 5): {@link
 * dev.sagaflow.rabbitmq.RabbitMessageSender}, the outbox relay's sender with publisher confirms and mandatory
 * routing, and {@link dev.sagaflow.rabbitmq.RabbitReplyListener}, which consumes replies with manual
 * acknowledgements and acknowledges each only once it is durable in the saga store (or definitely rejected).
 */
package dev.sagaflow.rabbitmq;
