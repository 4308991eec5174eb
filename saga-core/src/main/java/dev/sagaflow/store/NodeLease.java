package dev.sagaflow.store;

import java.time.Duration;
import java.util.Objects;

/**
 * One running process's hold on its node id: the id the host configured, the incarnation the process
 * drew when it started (unique per process start), and the lease it renews. Two processes configured
 * with the same node id have different incarnations, so the store can tell them apart: the one that
 * registered last holds the id, and the other's renewals fail. Immutable.
 *
 * @param nodeId the node id, recorded as the owner of the instances the node drives
 * @param incarnation unique per process start
 * @param lease how long a registration and the node's instance leases hold without renewal
 */
public record NodeLease(String nodeId, String incarnation, Duration lease) {
    public NodeLease {
        Objects.requireNonNull(nodeId, "nodeId cannot be null");
        Objects.requireNonNull(incarnation, "incarnation cannot be null");
        Objects.requireNonNull(lease, "lease cannot be null");
        if (lease.isNegative() || lease.isZero()) {
            throw new IllegalArgumentException("lease must be > 0, was " + lease);
        }
    }
}
