/** Test fixtures for the Kafka integration: a real KRaft broker inside the test JVM, and a participant. */
package dev.sagaflow.kafka.support;
