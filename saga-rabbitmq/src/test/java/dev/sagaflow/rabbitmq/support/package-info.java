/** Test fixtures for the RabbitMQ integration: the broker under test, a TCP proxy to cut it off, a participant. */
package dev.sagaflow.rabbitmq.support;
