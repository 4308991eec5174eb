/**
 * The Customer Service of the orchestrated order saga: it takes credit commands from a channel and
 * answers on another. It knows nothing of sagas or of the Order Service's tables.
 */
package dev.sagaflow.examples.order.customer;
