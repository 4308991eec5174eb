package dev.sagaflow.jdbc.internal;

import dev.sagaflow.SagaStatus;
import dev.sagaflow.SagaStoreException;
import dev.sagaflow.store.ClaimRequest;
import dev.sagaflow.store.LeaseRenewal;
import dev.sagaflow.store.NodeLease;
import dev.sagaflow.store.NodeRegistration;
import dev.sagaflow.store.SagaInstance;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who drives which instance: node registrations (which process incarnation holds a node id), claims, lease
 * renewal and release, all on the store's clock ({@link StoreClock}).
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
    private static final int CONFLICT_ATTEMPTS = 3;
    private static final String LIVE = Reads.inList(List.of(SagaStatus.RUNNING, SagaStatus.COMPENSATING));

    private final Jdbc jdbc;
    private final UnreadableRows unreadable;
    private final String claimWriteSql;
    private final String renewSql;
    private final String releaseSql;
    private final String renewNodeSql;
    private final String lockNodeSql;
    private final String insertNodeSql;
    private final String replaceNodeSql;
    private final String deleteNodeSql;

    public Leases(Jdbc jdbc, UnreadableRows unreadable) {
        this.jdbc = jdbc;
        this.unreadable = unreadable;
        Tables tables = jdbc.tables();
        String instances = tables.instances();
        this.claimWriteSql = "UPDATE " + instances + " SET owner = ?, lease_until = ?, updated_at = ?, version = ?"
                + " WHERE id = ? AND version = ?";
        this.renewSql = "UPDATE " + instances + " SET lease_until = " + StoreClock.NOW + " + ? WHERE owner = ?"
                + " AND status IN " + LIVE;
        this.releaseSql = "UPDATE " + instances + " SET owner = NULL, lease_until = NULL WHERE owner = ? AND status IN "
                + LIVE;
        this.renewNodeSql = "UPDATE " + tables.nodes() + " SET lease_until = " + StoreClock.NOW + " + ?"
                + " WHERE node_id = ? AND incarnation = ?";
        this.lockNodeSql = "SELECT incarnation, lease_until, " + StoreClock.NOW + " FROM " + tables.nodes()
                + " WHERE node_id = ? FOR UPDATE";
        this.insertNodeSql = "INSERT INTO " + tables.nodes() + " (node_id, incarnation, lease_until)"
                + " VALUES (?, ?, " + StoreClock.NOW + " + ?)";
        this.replaceNodeSql = "UPDATE " + tables.nodes() + " SET incarnation = ?, lease_until = " + StoreClock.NOW
                + " + ? WHERE node_id = ?";
        this.deleteNodeSql = "DELETE FROM " + tables.nodes() + " WHERE node_id = ? AND incarnation = ?";
    }

    /**
     * The SQL that locks a claim's candidates, oldest first, with one placeholder per fingerprint and per id.
     * Parameters: the fingerprints, the ids, the time before which a lease has run out, the owner (only when
     * {@code includeOwn}), the limit.
     */
    public String claimSql(int fingerprints, int ids, boolean includeOwn) {
        return "SELECT " + InstanceColumn.list() + " FROM " + jdbc.tables().instances()
                + " WHERE status IN " + LIVE
                + " AND fingerprint IN (" + placeholders(fingerprints) + ")"
                + (ids == 0 ? "" : " AND id IN (" + placeholders(ids) + ")")
                + " AND (owner IS NULL OR lease_until IS NULL OR lease_until < ?" + (includeOwn ? " OR owner = ?" : "")
                + ") ORDER BY created_at, id LIMIT ?" + jdbc.dialect().lockClause();
    }

    /** The SQL text of {@link #renew}'s statement for the instances. */
    public String renewSql() {
        return jdbc.sql(renewSql);
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
        return retryingConflicts("claim for owner '" + request.owner() + "'", () -> claimOnce(request));
    }

    /**
     * Runs a transaction again, up to three times, when the database rolled it back as a deadlock or a serialization
     * failure (MySQL and MariaDB resolve concurrent claims and renewals that way, through their gap locks): nothing
     * of it was written, so trying again is safe.
     */
    private <R> R retryingConflicts(String what, Supplier<R> transaction) {
        for (int attempt = 1; ; attempt++) {
            try {
                return transaction.get();
            } catch (SagaStoreException e) {
                boolean conflict = e.getCause() instanceof SQLException sql && SqlStates.isRolledBackConflict(sql);
                if (attempt >= CONFLICT_ATTEMPTS || !conflict) {
                    throw e;
                }
                log.debug("{} hit a deadlock or serialization failure, trying again: {}", what, e.getMessage());
            }
        }
    }

    private List<SagaInstance> claimOnce(ClaimRequest request) {
        String what = "claim for owner '" + request.owner() + "'";
        return jdbc.inTransaction(what, null, claimed -> !claimed.isEmpty(), c -> {
            long now = jdbc.clock().now(c);
            long leaseUntil = now + Micros.of(request.lease());
            List<SagaInstance> claimed = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(claimWriteSql)) {
                ps.setQueryTimeout(Jdbc.LEASE_STATEMENT_TIMEOUT_SECONDS);
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
        List<String> ids = List.copyOf(request.ids());
        String sql = claimSql(fingerprints.size(), ids.size(), request.includeOwn());
        int places = request.limit();
        while (true) {
            List<SagaInstance> readable = new ArrayList<>();
            int rows = 0;
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setQueryTimeout(Jdbc.LEASE_STATEMENT_TIMEOUT_SECONDS);
                int i = 1;
                for (String fingerprint : fingerprints) {
                    ps.setString(i++, fingerprint);            // fingerprint IN (?, ...)
                }
                for (String id : ids) {
                    ps.setString(i++, id);                     // id IN (?, ...)
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

    /**
     * If {@code node}'s incarnation holds its node id (or nobody does, and it takes it), extends its registration
     * and the leases of its live instances from the store's clock; one transaction, committed only then.
     */
    public LeaseRenewal renew(NodeLease node) {
        long lease = Micros.of(node.lease());
        String what = "lease renewal for node '" + node.nodeId() + "'";
        return retryingConflicts(what, () -> jdbc.inTransaction(what, null, LeaseRenewal::nodeHeld, c -> {
            if (!holdNode(c, node, lease)) {
                return new LeaseRenewal(false, 0);
            }
            try (PreparedStatement ps = c.prepareStatement(jdbc.sql(renewSql))) {
                ps.setQueryTimeout(Jdbc.LEASE_STATEMENT_TIMEOUT_SECONDS);
                ps.setLong(1, lease);                          // SET lease_until = now + ?
                ps.setString(2, node.nodeId());                // WHERE owner = ?
                return new LeaseRenewal(true, ps.executeUpdate());
            }
        }));
    }

    /** Extends {@code node}'s registration, or registers it if nobody holds its id; {@code false} if another does. */
    private boolean holdNode(Connection c, NodeLease node, long lease) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(jdbc.sql(renewNodeSql))) {
            ps.setQueryTimeout(Jdbc.LEASE_STATEMENT_TIMEOUT_SECONDS);
            ps.setLong(1, lease);                              // SET lease_until = now + ?
            ps.setString(2, node.nodeId());                    // WHERE node_id = ?
            ps.setString(3, node.incarnation());               // AND incarnation = ?
            if (ps.executeUpdate() == 1) {
                return true;
            }
        }
        NodeRegistration holder = lockNode(c, node.nodeId());
        if (holder != null) {
            // Zero rows can also mean an update that changed nothing (MySQL counts changed rows, not matched ones).
            return node.incarnation().equals(holder.previousIncarnation());
        }
        try {
            insertNode(c, node, lease);
            return true;
        } catch (SQLException e) {
            if (jdbc.dialect().isUniqueViolation(e)) {
                return false; // registered by another process a moment ago
            }
            throw e;
        }
    }

    /**
     * Registers {@code node}'s incarnation as the holder of its node id; one transaction. Two processes
     * registering the same new id at the same moment: the loser's insert hits the primary key and it tries once
     * more, then finds the winner's registration.
     */
    public NodeRegistration register(NodeLease node) {
        long lease = Micros.of(node.lease());
        String what = "registration of node '" + node.nodeId() + "'";
        for (int attempt = 1; ; attempt++) {
            try {
                return jdbc.inTransaction(what, null, r -> true, c -> {
                    NodeRegistration previous = lockNode(c, node.nodeId());
                    if (previous == null) {
                        insertNode(c, node, lease);
                        return NodeRegistration.FIRST;
                    }
                    try (PreparedStatement ps = c.prepareStatement(jdbc.sql(replaceNodeSql))) {
                        ps.setQueryTimeout(Jdbc.LEASE_STATEMENT_TIMEOUT_SECONDS);
                        ps.setString(1, node.incarnation());   // SET incarnation = ?
                        ps.setLong(2, lease);                  // lease_until = now + ?
                        ps.setString(3, node.nodeId());        // WHERE node_id = ?
                        ps.executeUpdate();
                    }
                    return previous;
                });
            } catch (SagaStoreException e) {
                boolean duplicate = e.getCause() instanceof SQLException sql && jdbc.dialect().isUniqueViolation(sql);
                if (!duplicate || attempt >= 2) {
                    throw e;
                }
            }
        }
    }

    /** Removes {@code node}'s registration if its incarnation holds the id. One statement. */
    public void deregister(NodeLease node) {
        jdbc.autoCommitted("deregistration of node '" + node.nodeId() + "'", null, true, c -> {
            try (PreparedStatement ps = c.prepareStatement(deleteNodeSql)) {
                ps.setString(1, node.nodeId());                // WHERE node_id = ?
                ps.setString(2, node.incarnation());           // AND incarnation = ?
                return ps.executeUpdate();
            }
        });
    }

    /** The registration of {@code nodeId}, locked for this transaction, or {@code null} if there is none. */
    private NodeRegistration lockNode(Connection c, String nodeId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(jdbc.sql(lockNodeSql))) {
            ps.setQueryTimeout(Jdbc.LEASE_STATEMENT_TIMEOUT_SECONDS);
            ps.setString(1, nodeId);                           // WHERE node_id = ?
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                long until = rs.getLong(2);
                return new NodeRegistration(rs.getString(1), Micros.toInstant(until), until >= rs.getLong(3));
            }
        }
    }

    private void insertNode(Connection c, NodeLease node, long lease) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(jdbc.sql(insertNodeSql))) {
            ps.setQueryTimeout(Jdbc.LEASE_STATEMENT_TIMEOUT_SECONDS);
            ps.setString(1, node.nodeId());                    // node_id
            ps.setString(2, node.incarnation());               // incarnation
            ps.setLong(3, lease);                              // lease_until = now + ?
            ps.executeUpdate();
        }
    }

    private static String placeholders(int count) {
        return String.join(", ", Collections.nCopies(count, "?"));
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
