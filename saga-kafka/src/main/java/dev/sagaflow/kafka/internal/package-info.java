/** Helpers of the Kafka integration; not API. */
package dev.sagaflow.kafka.internal;
