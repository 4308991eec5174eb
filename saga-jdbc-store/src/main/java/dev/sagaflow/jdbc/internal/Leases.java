package dev.sagaflow.jdbc.internal;

import dev.sagaflow.SagaStatus;
import dev.sagaflow.SagaStoreException;
import dev.sagaflow.store.ClaimRequest;
import dev.sagaflow.store.SagaInstance;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who drives which instance: claims, lease renewal and release.
 *
 * <p>A claim is one transaction on every database: it locks the candidates with {@code FOR UPDATE SKIP
 * LOCKED} (plain {@code FOR UPDATE} where the database cannot skip), reads them, and writes owner, lease and
 * version on each one it can read, with a version check; then one commit (a rollback when it claimed
 * nothing). A row it cannot read is left exactly as it is, not even its version changes, and is logged once
 * per version ({@link UnreadableRows}); it does not take the place of a readable one within the limit.
 * Claims run once per poll interval, so a statement per claimed row costs little, and the rule is the same
 * everywhere. Immutable and thread-safe.
 */
public final class Leases {
    private static final Logger log = LoggerFactory.getLogger(Leases.class);
    private static final int CLAIM_ATTEMPTS = 3;
    private static final String LIVE = Reads.inList(List.of(SagaStatus.RUNNING, SagaStatus.COMPENSATING));

    private final Jdbc jdbc;
    private final UnreadableRows unreadable;
    private final String claimWriteSql;
    private final String renewSql;
    private final String releaseSql;

    public Leases(Jdbc jdbc, UnreadableRows unreadable) {
        this.jdbc = jdbc;
        this.unreadable = unreadable;
        String instances = jdbc.tables().instances();
        this.claimWriteSql = "UPDATE " + instances + " SET owner = ?, lease_until = ?, updated_at = ?, version = ?"
                + " WHERE id = ? AND version = ?";
        this.renewSql = "UPDATE " + instances + " SET lease_until = ? WHERE owner = ? AND status IN " + LIVE;
        this.releaseSql = "UPDATE " + instances + " SET owner = NULL, lease_until = NULL WHERE owner = ? AND status IN "
                + LIVE;
    }

    /**
     * The SQL that locks a claim's candidates, oldest first, with one fingerprint placeholder per fingerprint.
     * Parameters: the fingerprints, the time before which a lease has run out, the owner (only when
     * {@code includeOwn}), the limit.
     */
    public String claimSql(int fingerprints, boolean includeOwn) {
        return "SELECT " + InstanceColumn.list() + " FROM " + jdbc.tables().instances()
                + " WHERE status IN " + LIVE
                + " AND fingerprint IN (" + String.join(", ", Collections.nCopies(fingerprints, "?")) + ")"
                + " AND (owner IS NULL OR lease_until IS NULL OR lease_until < ?" + (includeOwn ? " OR owner = ?" : "")
                + ") ORDER BY created_at, id LIMIT ?" + jdbc.dialect().lockClause();
    }

    /** The SQL text of {@link #renew}. */
    public String renewSql() {
        return renewSql;
    }

    /**
     * Takes over the instances {@code request} selects; see the class comment. MySQL and MariaDB may resolve
     * concurrent claims by rolling one back as a deadlock (gap locks): the loser's transaction is then tried
     * again, up to three times, which is safe because nothing of it was written.
     *
     * @throws SagaStoreException if the database fails
     */
    public List<SagaInstance> claim(ClaimRequest request) {
        if (request.fingerprints().isEmpty()) {
            return List.of();
        }
        for (int attempt = 1; ; attempt++) {
            try {
                return claimOnce(request);
            } catch (SagaStoreException e) {
                boolean conflict = e.getCause() instanceof SQLException sql && SqlStates.isRolledBackConflict(sql);
                if (attempt >= CLAIM_ATTEMPTS || !conflict) {
                    throw e;
                }
                log.debug("claim for owner '{}' hit a deadlock or serialization failure, trying again: {}",
                        request.owner(), e.getMessage());
            }
        }
    }

    private List<SagaInstance> claimOnce(ClaimRequest request) {
        long now = Micros.of(request.now());
        long leaseUntil = Micros.of(request.leaseUntil());
        String what = "claim for owner '" + request.owner() + "'";
        return jdbc.inTransaction(what, null, claimed -> !claimed.isEmpty(), c -> {
            List<SagaInstance> claimed = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(claimWriteSql)) {
                for (SagaInstance candidate : lockCandidates(c, request, now)) {
                    ps.setString(1, request.owner());          // SET owner = ?
                    ps.setLong(2, leaseUntil);                 // lease_until = ?
                    ps.setLong(3, now);                        // updated_at = ?
                    ps.setLong(4, candidate.version() + 1);    // version = ?
                    ps.setString(5, candidate.id());           // WHERE id = ?
                    ps.setLong(6, candidate.version());        // AND version = ?
                    // One row at a time, not batched: a batch may not report per-row counts, and the version
                    // check decides which candidates this claimer really got.
                    int rows = ps.executeUpdate();
                    if (rows == 1) {
                        claimed.add(candidate.claimedBy(request.owner(), Micros.toInstant(leaseUntil),
                                Micros.toInstant(now)));
                    } else if (rows > 1) {
                        throw jdbc.tooManyRows("claim of", candidate.id(), rows);
                    }
                }
            }
            return claimed;
        });
    }

    /**
     * Locks and reads up to the request's limit of readable candidates, oldest first. When unreadable rows took
     * places within the limit, the candidates are selected again with that many more places (rows this
     * transaction locked already come back), until the limit is reached or there are no more candidates.
     */
    private List<SagaInstance> lockCandidates(Connection c, ClaimRequest request, long now) throws SQLException {
        List<String> fingerprints = List.copyOf(request.fingerprints());
        String sql = claimSql(fingerprints.size(), request.includeOwn());
        int places = request.limit();
        while (true) {
            List<SagaInstance> readable = new ArrayList<>();
            int rows = 0;
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                int i = 1;
                for (String fingerprint : fingerprints) {
                    ps.setString(i++, fingerprint);            // fingerprint IN (?, ...)
                }
                ps.setLong(i++, now);                          // lease_until < ?
                if (request.includeOwn()) {
                    ps.setString(i++, request.owner());        // OR owner = ?
                }
                ps.setInt(i, places);                          // LIMIT ?
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rows++;
                        SagaInstance candidate = unreadable.readOrSkip(rs, "claim");
                        if (candidate != null && readable.size() < request.limit()) {
                            readable.add(candidate);
                        }
                    }
                }
            }
            if (readable.size() >= request.limit() || rows < places) {
                return readable;
            }
            places = request.limit() + (rows - readable.size());
        }
    }

    /** Extends the leases of {@code owner}'s live instances; returns how many. One statement. */
    public int renew(String owner, Instant leaseUntil) {
        long until = Micros.of(leaseUntil);
        return jdbc.autoCommitted("lease renewal for owner '" + owner + "'", null, true, c -> {
            try (PreparedStatement ps = c.prepareStatement(renewSql)) {
                ps.setLong(1, until);                          // SET lease_until = ?
                ps.setString(2, owner);                        // WHERE owner = ?
                return ps.executeUpdate();
            }
        });
    }

    /** Clears owner and lease of {@code owner}'s live instances; returns how many. One statement. */
    public int release(String owner) {
        return jdbc.autoCommitted("lease release for owner '" + owner + "'", null, true, c -> {
            try (PreparedStatement ps = c.prepareStatement(releaseSql)) {
                ps.setString(1, owner);                        // WHERE owner = ?
                return ps.executeUpdate();
            }
        });
    }
}
