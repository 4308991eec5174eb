package dev.sagaflow.store;

/**
 * The outcome of {@link SagaStore#renewLeases(NodeLease)}. Immutable.
 *
 * @param nodeHeld whether the renewing incarnation still holds its node id; {@code false} means another
 *     process registered under the same node id since, and nothing was renewed
 * @param renewed how many instance leases were extended
 */
public record LeaseRenewal(boolean nodeHeld, int renewed) {
}
