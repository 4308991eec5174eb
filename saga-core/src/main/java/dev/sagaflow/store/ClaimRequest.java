package dev.sagaflow.store;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * A node's request to take over live instances that nobody drives: those without an owner or whose
 * lease ran out (both judged on the store's clock), and, when {@code includeOwn} is set (on start-up,
 * when the node drives nothing yet), those owned under its own node id by an earlier process. Only
 * instances whose fingerprint is among {@code fingerprints} are claimed, so a node never takes an
 * instance it cannot resume; with {@code ids} non-empty, only those instances. Immutable.
 *
 * @param owner the claiming node's id
 * @param lease how long the claim holds, from the store's clock at the claim
 * @param fingerprints the definition fingerprints the node has registered
 * @param includeOwn whether to claim instances already owned by {@code owner}, whatever their lease
 * @param ids only these instances, or empty for any
 * @param limit at most this many (1 to 10,000)
 */
public record ClaimRequest(String owner, Duration lease, Set<String> fingerprints, boolean includeOwn,
        Set<String> ids, int limit) {

    public ClaimRequest {
        Objects.requireNonNull(owner, "owner cannot be null");
        Objects.requireNonNull(lease, "lease cannot be null");
        if (lease.isNegative() || lease.isZero()) {
            throw new IllegalArgumentException("lease must be > 0, was " + lease);
        }
        fingerprints = Set.copyOf(fingerprints);
        ids = Set.copyOf(ids);
        if (limit < 1 || limit > SagaQuery.MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be between 1 and " + SagaQuery.MAX_LIMIT + ", was " + limit);
        }
    }

    /**
     * The request of the older SPI, with the claim's time and lease expiry on the caller's clock: the
     * lease is read as {@code leaseUntil - now}, and applied on the store's clock.
     */
    public ClaimRequest(String owner, Instant now, Instant leaseUntil, Set<String> fingerprints, boolean includeOwn,
            int limit) {
        this(owner, positive(Duration.between(Objects.requireNonNull(now, "now cannot be null"),
                Objects.requireNonNull(leaseUntil, "leaseUntil cannot be null"))), fingerprints, includeOwn, Set.of(),
                limit);
    }

    /** A claim of any claimable instance with one of {@code fingerprints}. */
    public static ClaimRequest any(String owner, Duration lease, Set<String> fingerprints, boolean includeOwn,
            int limit) {
        return new ClaimRequest(owner, lease, fingerprints, includeOwn, Set.of(), limit);
    }

    /**
     * A claim of exactly the instances {@code ids}, if they are claimable: live, with one of
     * {@code fingerprints}, and without an owner, with an expired lease, or owned by {@code owner}.
     */
    public static ClaimRequest of(String owner, Duration lease, Set<String> fingerprints, Set<String> ids) {
        return new ClaimRequest(owner, lease, fingerprints, true, ids, Math.max(1, Math.min(ids.size(),
                SagaQuery.MAX_LIMIT)));
    }

    /** Whether {@code instance} may be claimed by this request at store time {@code now} (ignoring the limit). */
    public boolean matches(SagaInstance instance, Instant now) {
        if (!instance.status().isLive() || !fingerprints.contains(instance.fingerprint())
                || (!ids.isEmpty() && !ids.contains(instance.id()))) {
            return false;
        }
        if (instance.owner() == null || instance.leaseUntil() == null || instance.leaseUntil().isBefore(now)) {
            return true;
        }
        return includeOwn && owner.equals(instance.owner());
    }

    private static Duration positive(Duration lease) {
        return lease.isNegative() || lease.isZero() ? Duration.ofMillis(1) : lease;
    }
}
