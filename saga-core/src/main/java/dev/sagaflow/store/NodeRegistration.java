package dev.sagaflow.store;

import java.time.Instant;

/**
 * What a node found when it registered its incarnation under its node id ({@link SagaStore#registerNode}).
 * Immutable.
 *
 * @param previousIncarnation the incarnation that held the node id before, or {@code null} if none did
 *     (a first start, or the last process closed cleanly)
 * @param previousLeaseUntil until when the previous incarnation's registration held, on the store's
 *     clock, or {@code null}
 * @param previousLive whether the previous registration had not run out: either its process died less
 *     than a lease ago, or another live process uses the same node id
 */
public record NodeRegistration(String previousIncarnation, Instant previousLeaseUntil, boolean previousLive) {
    /** A registration that found nobody before it. */
    public static final NodeRegistration FIRST = new NodeRegistration(null, null, false);
}
