package dev.sagaflow.jdbc.internal;

import dev.sagaflow.SagaStoreException;
import dev.sagaflow.store.SagaInstance;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PostgreSQL with group commit: the inserts and updates of concurrent callers, gathered by {@link GroupCommit},
 * are written by one statement and one commit per batch. Each caller still learns its own outcome: a lost
 * compare-and-set returns {@code false}, a taken idempotency key {@code false}, a taken id throws. A write that
 * finds no company, every write of a batch the database refused, and every write that also consumes replies or
 * sends messages, is written alone by its caller with the single-statement writer; if a batch's outcome is unknown (the connection broke), every caller in it gets a
 * {@link SagaStoreException}.
 */
public final class GroupCommitWriter extends InstanceWriter {
    private static final Logger log = LoggerFactory.getLogger(GroupCommitWriter.class);

    /** What became of a write in a group commit. */
    private enum Outcome { WRITTEN, NOT_WRITTEN, TOO_MANY_ROWS, ALONE, FAILED }

    private final PostgresWriter alone;
    private final GroupCommit<PendingWrite> groupCommit;
    private final String batchSql;

    /**
     * @param maxBatch the most writes in one batch
     * @param maxWaitNanos how long a batch waits for company (0: not at all)
     * @param maxInFlight the most batches written at the same time
     */
    public GroupCommitWriter(Jdbc jdbc, int maxBatch, long maxWaitNanos, int maxInFlight) {
        super(jdbc);
        this.alone = new PostgresWriter(jdbc);
        this.groupCommit = new GroupCommit<>(maxBatch, maxWaitNanos, maxInFlight, this::writeBatch);
        this.batchSql = batchSql(jdbc.dialect(), jdbc.tables());
    }

    @Override
    public boolean insert(EncodedInstance row) {
        if (row.hasExtras()) {
            return alone.insert(row);
        }
        jdbc.checkSize(row);
        PendingWrite write = new PendingWrite(true, row, -1);
        groupCommit.submit(write);
        switch (write.outcome(INSERT)) {
            case WRITTEN:
                return true;
            case NOT_WRITTEN:
                // A unique key turned it down: tell a taken idempotency key (false) from a taken id (throws).
                return jdbc.autoCommitted(INSERT, row.id(), false, c -> resolveDuplicate(c, row.instance(),
                        new SQLException("the insert conflicted with an existing row that is no longer there", "23505")));
            default:
                return alone.insert(row);
        }
    }

    @Override
    public boolean update(long expectedVersion, EncodedInstance row) {
        if (row.hasExtras()) {
            return alone.update(expectedVersion, row);
        }
        jdbc.checkSize(row);
        PendingWrite write = new PendingWrite(false, row, expectedVersion);
        groupCommit.submit(write);
        switch (write.outcome(updateWhat(row))) {
            case WRITTEN:
                return true;
            case NOT_WRITTEN:
                return false;
            case TOO_MANY_ROWS:
                throw jdbc.tooManyRows("update of", row.id(), 2);
            default:
                return alone.update(expectedVersion, row);
        }
    }

    /** Inside a caller's transaction there is nothing to share: the single statement, on that connection. */
    @Override
    public int update(Connection c, long expectedVersion, EncodedInstance row) throws SQLException {
        return alone.update(c, expectedVersion, row);
    }

    @Override
    public String toString() {
        return groupCommit.toString();
    }

    /**
     * The statement that writes a batch: inserts (skipping any that a unique key turns down), compare-and-set
     * updates, and the history rows of the writes that happened, in order; it returns one row per instance row
     * written ({@code true} for an insert). Each column travels as one array, so its text does not depend on the
     * batch's size and the server prepares it once per connection. Parameters: the inserts' columns, then the
     * updates' id, expected version and other columns, then the history rows' saga ids, versions and entries.
     */
    private static String batchSql(Dialect dialect, Tables tables) {
        String varchar = InstanceColumn.arrayPlaceholder("varchar");
        String int8 = InstanceColumn.arrayPlaceholder("int8");
        String columns = InstanceColumn.listAllButIdAfterComma();
        String arrays = InstanceColumn.arrayPlaceholdersAllButIdAfterComma();
        return "WITH ni AS (SELECT * FROM unnest(" + varchar + arrays + ") WITH ORDINALITY AS t(id" + columns + ", n)),"
                + " wi AS (INSERT INTO " + tables.instances() + " (" + InstanceColumn.list() + ")"
                + " SELECT " + InstanceColumn.valuesFrom(dialect, "ni")
                + " FROM ni ORDER BY ni.n ON CONFLICT DO NOTHING RETURNING id),"
                + " nu AS (SELECT * FROM unnest(" + varchar + ", " + int8 + arrays + ") AS t(id, expected" + columns + ")),"
                + " wu AS (UPDATE " + tables.instances() + " AS i SET " + InstanceColumn.assignmentsFrom(dialect, "nu")
                + " FROM nu WHERE i.id = nu.id AND i.version = nu.expected RETURNING i.id),"
                + " h AS (INSERT INTO " + tables.history() + " (" + InstanceRows.HISTORY_COLUMNS + ")"
                + " SELECT e.saga_id, e.version, e.entries FROM unnest(" + varchar + ", " + int8 + ", "
                + InstanceColumn.arrayPlaceholder("text") + ") AS e(saga_id, version, entries)"
                + " WHERE e.saga_id IN (SELECT id FROM wi UNION ALL SELECT id FROM wu))"
                + " SELECT true, id FROM wi UNION ALL SELECT false, id FROM wu";
    }

    /**
     * Writes one batch with one statement and one commit, then records every write's outcome; a batch of one is
     * handed back to its caller, who writes it as without group commit. A statement the database refused wrote
     * nothing: each write is then tried again alone by its caller. A failure that leaves the outcome unknown (no
     * connection, a broken one) fails every write of the batch.
     */
    private void writeBatch(List<PendingWrite> batch) {
        if (batch.size() == 1) {
            // Nothing to share a commit with: the single-write statement is cheaper than a batch of one.
            batch.get(0).finish(Outcome.ALONE, null);
            return;
        }
        String what = "group commit of " + batch.size() + " write(s)";
        Map<String, Integer> inserted = new HashMap<>();
        Map<String, Integer> updated = new HashMap<>();
        try {
            jdbc.autoCommitted(what, null, true, c -> {
                try (PreparedStatement ps = c.prepareStatement(jdbc.sql(batchSql))) {
                    bind(c, ps, batch);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            (rs.getBoolean(1) ? inserted : updated).merge(rs.getString(2), 1, Integer::sum);
                        }
                    }
                } catch (SQLException e) {
                    if (SqlStates.isRefusal(e)) {
                        throw new Refused(e);
                    }
                    throw e;
                }
                return null;
            });
        } catch (Refused e) {
            log.debug("{} refused by the database, each write is tried alone: {}", what, e.getCause().toString());
            for (PendingWrite write : batch) {
                write.finish(Outcome.ALONE, null);
            }
            return;
        } catch (RuntimeException e) {
            // No connection, a broken one, or a failed commit: the outcome of every write is unknown.
            SagaStoreException failure = e instanceof SagaStoreException store ? store
                    : new SagaStoreException(what + " failed: " + e, null, e);
            for (PendingWrite write : batch) {
                write.finish(Outcome.FAILED, failure);
            }
            return;
        }
        for (PendingWrite write : batch) {
            int rows = (write.insert ? inserted : updated).getOrDefault(write.id(), 0);
            write.finish(rows == 0 ? Outcome.NOT_WRITTEN
                    : rows == 1 || write.insert ? Outcome.WRITTEN : Outcome.TOO_MANY_ROWS, null);
        }
    }

    /** Binds a batch's parameters, in the order {@link #batchSql} lists them. */
    private static void bind(Connection c, PreparedStatement ps, List<PendingWrite> batch) throws SQLException {
        List<PendingWrite> inserts = new ArrayList<>(batch.size());
        List<PendingWrite> updates = new ArrayList<>(batch.size());
        List<PendingWrite> withHistory = new ArrayList<>(batch.size());
        for (PendingWrite write : batch) {
            (write.insert ? inserts : updates).add(write);
            if (!write.row.history().isEmpty()) {
                withHistory.add(write);
            }
        }
        // Rows are locked in id order, so that batches written at the same time never deadlock on each other.
        inserts.sort(Comparator.comparing(PendingWrite::id));
        updates.sort(Comparator.comparing(PendingWrite::id));
        int i = 1;
        ps.setArray(i++, c.createArrayOf("varchar", ids(inserts)));                        // ni.id
        i = InstanceColumn.bindArraysAllButId(c, ps, i, rows(inserts));                    // ni's other columns
        ps.setArray(i++, c.createArrayOf("varchar", ids(updates)));                        // nu.id
        ps.setArray(i++, c.createArrayOf("int8", updates.stream().map(w -> w.expectedVersion).toArray(Long[]::new)));  // nu.expected
        i = InstanceColumn.bindArraysAllButId(c, ps, i, rows(updates));                    // nu's other columns
        ps.setArray(i++, c.createArrayOf("varchar", ids(withHistory)));                    // e.saga_id
        ps.setArray(i++, c.createArrayOf("int8",                                           // e.version: the one written
                withHistory.stream().map(w -> w.row.instance().version()).toArray(Long[]::new)));
        ps.setArray(i, c.createArrayOf("text",                                             // e.entries
                withHistory.stream().map(w -> HistoryJson.encode(w.row.history())).toArray(String[]::new)));
    }

    private static String[] ids(List<PendingWrite> writes) {
        return writes.stream().map(PendingWrite::id).toArray(String[]::new);
    }

    private static List<EncodedInstance> rows(List<PendingWrite> writes) {
        return writes.stream().map(w -> w.row).toList();
    }

    /** A batch statement the database refused; it wrote nothing. */
    private static final class Refused extends RuntimeException {
        Refused(SQLException cause) {
            super(cause);
        }
    }

    /** One caller's insert or update, waiting in a group commit. */
    private static final class PendingWrite extends GroupCommit.Pending {
        final boolean insert;
        final EncodedInstance row;
        final long expectedVersion;
        private Outcome outcome;
        private RuntimeException failure;

        PendingWrite(boolean insert, EncodedInstance row, long expectedVersion) {
            this.insert = insert;
            this.row = row;
            this.expectedVersion = expectedVersion;
        }

        String id() {
            return row.id();
        }

        @Override
        protected List<Object> conflictKeys() {
            SagaInstance instance = row.instance();
            return insert && instance.idempotencyKey() != null
                    ? List.of(instance.id(), new IdempotencyKey(instance.sagaName(), instance.idempotencyKey()))
                    : List.of(instance.id());
        }

        void finish(Outcome result, RuntimeException error) {
            this.outcome = result;
            this.failure = error;
            finish();
        }

        /** The outcome, once done; throws the batch's failure. */
        Outcome outcome(String what) {
            if (outcome == Outcome.FAILED) {
                throw failure;
            }
            if (outcome == null) {
                throw new SagaStoreException(what + " failed: its group commit ended without an outcome", id(), null);
            }
            return outcome;
        }
    }

    private record IdempotencyKey(String sagaName, String key) {
    }
}
