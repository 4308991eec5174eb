/** Test fixtures for the RabbitMQ integration: the broker under test, and a participant. */
package dev.sagaflow.rabbitmq.support;
