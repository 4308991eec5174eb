package dev.sagaflow.jdbc.proofs;

import dev.sagaflow.StepContext;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

/**
 * Proves that no step ever runs on two nodes at once. Every execution of an action or compensation
 * inserts (saga, step) into the {@code running} table, whose primary key is exactly that, when it
 * starts, and deletes it when it ends; a second execution that overlaps the first fails on the
 * primary key, which is counted as a violation. Executions after one another (a re-run after a
 * crash) do not overlap and are only counted. Shared by every node of one test; thread-safe.
 */
final class ExclusiveExecutions {
    private final String table;
    private final AtomicInteger violations = new AtomicInteger();
    private final Queue<String> violationDetails = new ConcurrentLinkedQueue<>();
    private final Map<String, AtomicInteger> executions = new ConcurrentHashMap<>();

    ExclusiveExecutions(ProofTables tables) {
        this.table = tables.table("running");
    }

    /** The guard of one node: its executions go through its own pool and stop once it is {@link Node#halt() halted}. */
    Node node(String nodeId, DataSource dataSource) {
        return new Node(nodeId, dataSource);
    }

    int violations() {
        return violations.get();
    }

    List<String> violationDetails() {
        return List.copyOf(violationDetails);
    }

    /** How many times the action ({@code "s1"}) or compensation ({@code "s1/undo"}) of {@code step} ran for {@code sagaId}. */
    int executions(String sagaId, String step) {
        AtomicInteger count = executions.get(sagaId + " " + step);
        return count == null ? 0 : count.get();
    }

    /** How many (saga, step) executions ran more than once. */
    long repeated() {
        return executions.values().stream().filter(n -> n.get() > 1).count();
    }

    /** The sagas of which some step ran more than once. */
    List<String> repeatedSagas() {
        return executions.entrySet().stream().filter(e -> e.getValue().get() > 1)
                .map(e -> e.getKey().substring(0, e.getKey().indexOf(' '))).distinct().toList();
    }

    final class Node {
        private final String nodeId;
        private final DataSource dataSource;
        private volatile boolean halted;

        private Node(String nodeId, DataSource dataSource) {
            this.nodeId = nodeId;
            this.dataSource = dataSource;
        }

        /**
         * After its orchestrator was crashed, the node's handlers that start late leave at once without
         * touching the table, as they would in a dead process; those already inside finish normally.
         */
        void halt() {
            halted = true;
        }

        /** One execution of the step in {@code context}: marks it running, then not. */
        void execute(StepContext context) throws SQLException {
            if (halted) {
                throw new IllegalStateException("node " + nodeId + " is dead");
            }
            String step = context.isCompensation() ? context.stepName() + "/undo" : context.stepName();
            executions.computeIfAbsent(context.sagaId() + " " + step, k -> new AtomicInteger()).incrementAndGet();
            try (Connection c = dataSource.getConnection()) {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table
                        + " (saga_id, step, node) VALUES (?, ?, ?)")) {
                    ps.setString(1, context.sagaId());
                    ps.setString(2, step);
                    ps.setString(3, nodeId);
                    ps.executeUpdate();
                } catch (SQLException e) {
                    if (!Participant.isUniqueViolation(e)) {
                        throw e;
                    }
                    violations.incrementAndGet();
                    violationDetails.add(step + " of saga " + context.sagaId() + " attempt " + context.attempt()
                            + " started on " + nodeId + " while running elsewhere");
                    return;
                }
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + table
                        + " WHERE saga_id = ? AND step = ? AND node = ?")) {
                    ps.setString(1, context.sagaId());
                    ps.setString(2, step);
                    ps.setString(3, nodeId);
                    ps.executeUpdate();
                }
            }
        }
    }
}
