/**
 * Commands and replies over a message broker, without a broker dependency: the {@link
 * dev.sagaflow.messaging.MessageSender} SPI a broker module implements, the {@link
 * dev.sagaflow.messaging.OutboxRelay} that takes a store's outbox messages to a sender and marks them sent
 * once the broker confirmed, the header names a command and a reply carry ({@link
 * dev.sagaflow.messaging.SagaMessages}), and the {@link dev.sagaflow.messaging.ReplyHandler} that turns a
 * received reply into {@link dev.sagaflow.SagaOrchestrator#reply(dev.sagaflow.SagaReply)} and tells the
 * consumer whether to acknowledge the broker's message. {@code saga-rabbitmq} and {@code saga-kafka} build
 * on it.
 */
package dev.sagaflow.messaging;
