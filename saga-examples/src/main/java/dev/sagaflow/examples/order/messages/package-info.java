/**
 * The contract between the Order Service and the Customer Service: the only thing they share. Each
 * message is a record written as JSON on a {@link dev.sagaflow.examples.support.MessageChannel}.
 */
package dev.sagaflow.examples.order.messages;
