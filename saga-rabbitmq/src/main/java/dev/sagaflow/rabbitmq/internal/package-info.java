/** Helpers of the RabbitMQ integration; not API. */
package dev.sagaflow.rabbitmq.internal;
