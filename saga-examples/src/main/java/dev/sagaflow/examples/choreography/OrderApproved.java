package dev.sagaflow.examples.choreography;

/**
 * Event of the Order Service: an order was approved. Nobody in this example needs it; a shipping
 * service would. Immutable.
 *
 * @param orderId the order
 */
public record OrderApproved(String orderId) {
}
