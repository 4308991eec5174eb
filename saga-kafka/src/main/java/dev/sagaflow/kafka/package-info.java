/**
 * Commands and replies over Kafka (kafka-clients 4): {@link dev.sagaflow.kafka.KafkaMessageSender}, the outbox
 * relay's sender on an idempotent producer with {@code acks=all}, and {@link dev.sagaflow.kafka.KafkaReplyConsumer},
 * which commits a reply's offset only once the reply is durable in the saga store (or definitely rejected).
 */
package dev.sagaflow.kafka;
