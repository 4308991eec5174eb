package dev.sagaflow.store;

import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * A node's request to take over live instances that nobody drives: those without an owner or whose
 * lease ran out before {@code now}, and, when {@code includeOwn} is set (on start-up, when the node
 * knows it runs nothing yet), those it owns itself. Only instances whose fingerprint is among
 * {@code fingerprints} are claimed, so a node never takes an instance it cannot resume.
 *
 * @param owner the claiming node's id
 * @param now the current time
 * @param leaseUntil the lease expiry to write on every claimed instance
 * @param fingerprints the definition fingerprints the node has registered
 * @param includeOwn whether to claim instances already owned by {@code owner}
 * @param limit at most this many (1 to 10,000)
 */
public record ClaimRequest(String owner, Instant now, Instant leaseUntil, Set<String> fingerprints,
        boolean includeOwn, int limit) {

    public ClaimRequest {
        Objects.requireNonNull(owner, "owner cannot be null");
        Objects.requireNonNull(now, "now cannot be null");
        Objects.requireNonNull(leaseUntil, "leaseUntil cannot be null");
        fingerprints = Set.copyOf(fingerprints);
        if (limit < 1 || limit > SagaQuery.MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be between 1 and " + SagaQuery.MAX_LIMIT + ", was " + limit);
        }
    }

    /** Whether {@code instance} may be claimed by this request (ignoring the limit). */
    public boolean matches(SagaInstance instance) {
        if (!instance.status().isLive() || !fingerprints.contains(instance.fingerprint())) {
            return false;
        }
        if (instance.owner() == null || instance.leaseUntil() == null || instance.leaseUntil().isBefore(now)) {
            return true;
        }
        return includeOwn && owner.equals(instance.owner());
    }
}
