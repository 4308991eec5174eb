package dev.sagaflow.jdbc;

import dev.sagaflow.SagaStatus;
import dev.sagaflow.SagaStoreException;
import dev.sagaflow.jdbc.internal.Dialect;
import dev.sagaflow.jdbc.internal.GroupCommit;
import dev.sagaflow.jdbc.internal.HistoryJson;
import dev.sagaflow.jdbc.internal.InstanceRows;
import dev.sagaflow.jdbc.internal.InstanceRows.Encoded;
import dev.sagaflow.jdbc.internal.Micros;
import dev.sagaflow.jdbc.internal.Schema;
import dev.sagaflow.jdbc.internal.Tables;
import dev.sagaflow.store.ClaimRequest;
import dev.sagaflow.store.HistoryEntry;
import dev.sagaflow.store.SagaInstance;
import dev.sagaflow.store.SagaQuery;
import dev.sagaflow.store.SagaStore;
import dev.sagaflow.store.TransactionalSagaStore;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link SagaStore} on a relational database, through any {@link DataSource} (a pool is the host's
 * choice; none is forced). Build one with {@link #builder(DataSource)}:
 *
 * <pre>{@code
 * SagaStore store = JdbcSagaStore.builder(dataSource)
 *         .createSchemaIfMissing(true)   // or run JdbcDialect.schemaResource() with your migration tool
 *         .build();
 * }</pre>
 *
 * <p>Every insert and update is one atomic write of the instance row and its history row (one per
 * write, holding that write's entries), and one commit. On PostgreSQL it is a single statement in
 * autocommit (a writable common table expression) and so one round-trip; on MySQL, MariaDB and H2 it
 * is one short transaction of two statements. Every update is a compare-and-set on the {@code version}
 * column: zero rows updated is a lost race and returns {@code false}; more than one row means the table has lost its
 * primary key and throws {@link IllegalStateException}. Claims lock candidate rows with
 * {@code FOR UPDATE SKIP LOCKED} where the database has it, so two nodes never claim the same instance.
 *
 * <p>Timestamps are stored as microseconds since the epoch (UTC) in {@code BIGINT} columns: instants
 * round-trip exactly to the microsecond (finer digits are cut off), whatever the time zone of the JVM
 * or of the database session. Saga data comes back as exactly the JSON text the runtime's codec
 * produced (PostgreSQL {@code json}, not {@code jsonb}; {@code LONGTEXT} checked by {@code json_valid}
 * on MySQL and MariaDB; {@code CLOB} on H2). Steps and history entries are compact JSON arrays in the
 * store's own format ({@code json} and {@code text} on PostgreSQL).
 *
 * <p><b>Group commit</b> ({@link Builder#groupCommit(boolean)}, off by default, PostgreSQL only) gathers the
 * inserts and updates of many concurrent callers into one statement and one commit: while one batch is being
 * written, the writes that arrive form the next one (a write that finds no company is written alone, with the
 * same statement as without group commit). Each caller still blocks until the batch that holds its
 * write has committed, so a write is durable before its call returns, exactly as without it; each caller learns
 * its own outcome (a lost compare-and-set returns {@code false}, a duplicate idempotency key returns
 * {@code false}, a duplicate id throws), and one caller's lost race never fails another's write. If the batch's
 * statement fails, nothing of it was written, and each write is tried again alone, so one bad write fails only
 * its own caller; if the outcome is unknown (the connection broke), every caller in the batch gets a
 * {@link SagaStoreException}, as a single write would. On MySQL, MariaDB and H2 the setting is accepted and the
 * store writes one transaction per write, as {@link #toString()} and the start-up log line say.
 *
 * <p>A row this store cannot read (someone rewrote its status or steps by hand) never breaks a claim
 * or a query for the other instances: it is skipped there, with an ERROR log line naming it, and
 * left as it is for an operator (a claim that took it gives it up again); {@link #find} reports it
 * with a {@link SagaStoreException} that names it.
 *
 * <p>Connections are taken from the data source for each call and closed before it returns; their
 * auto-commit mode is restored. Failures of the database become {@link SagaStoreException}s whose
 * message names the operation and the instance.
 *
 * <p>Immutable and thread-safe.
 */
public final class JdbcSagaStore implements TransactionalSagaStore {
    private static final Logger log = LoggerFactory.getLogger(JdbcSagaStore.class);
    private static final int CLAIM_ATTEMPTS = 3;
    private static final String LIVE_STATUSES = inList(List.of(SagaStatus.RUNNING, SagaStatus.COMPENSATING));

    private final DataSource dataSource;
    private final Dialect dialect;
    private final Tables tables;
    private final boolean createSchemaIfMissing;

    private final String insertSql;
    private final String updateSql;
    private final String insertHistorySql;
    private final String findSql;
    private final String findByKeySql;
    private final String existsSql;
    private final String historySql;
    private final String renewSql;
    private final String releaseSql;
    private final String releaseOneSql;
    private final String claimSql;
    private final String claimOwnSql;
    private final String claimWriteSql;
    /** The batch of a group commit, or null. */
    private final String batchSql;
    /** Gathers concurrent writes, or null when group commit is off or the database cannot do it. */
    private final GroupCommit<PendingWrite> groupCommit;
    private final boolean groupCommitRequested;

    private JdbcSagaStore(Builder builder, Dialect dialect) {
        this.dataSource = builder.dataSource;
        this.dialect = dialect;
        this.tables = new Tables(builder.tablePrefix);
        this.createSchemaIfMissing = builder.createSchemaIfMissing;

        String instances = tables.instances();
        String history = tables.history();
        String data = dialect.dataParameter();
        String steps = dialect.stepsParameter();
        String values = "?, ?, ?, ?, ?, ?, " + data + ", " + steps + ", ?, ?, ?, ?, ?, ?, ?";
        String set = "saga_name = ?, saga_version = ?, fingerprint = ?, idempotency_key = ?, status = ?, data = "
                + data + ", steps = " + steps + ", created_at = ?, updated_at = ?, deadline = ?, owner = ?,"
                + " lease_until = ?, version = ?, error = ?";
        String insertRow = "INSERT INTO " + instances + " (" + InstanceRows.INSTANCE_COLUMNS + ") VALUES (" + values + ")";
        String updateRow = "UPDATE " + instances + " SET " + set + " WHERE id = ? AND version = ?";
        String claimable = " FROM " + instances + " WHERE status IN " + LIVE_STATUSES + " AND fingerprint %s"
                + " AND (owner IS NULL OR lease_until IS NULL OR lease_until < ?%s)"
                + " ORDER BY created_at, id LIMIT ?" + dialect.lockClause();

        if (dialect.supportsSingleStatementWrites()) {
            // One statement writes the row and, only if the row was written, its history row (none when
            // the write records no entries); it returns how many instance rows it wrote.
            String appendHistory = ", h AS (INSERT INTO " + history + " (" + InstanceRows.HISTORY_COLUMNS + ")"
                    + " SELECT w.id, e.version, e.entries FROM w CROSS JOIN"
                    + " (SELECT CAST(? AS bigint) AS version, CAST(? AS text) AS entries) AS e"
                    + " WHERE e.entries IS NOT NULL) SELECT count(*) FROM w";
            this.insertSql = "WITH w AS (" + insertRow
                    + " ON CONFLICT (saga_name, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING"
                    + " RETURNING id)" + appendHistory;
            this.updateSql = "WITH w AS (" + updateRow + " RETURNING id)" + appendHistory;
            // The redundant "i.id = ANY(ARRAY(...))" lets the planner find the claimed rows by primary
            // key; with the join alone it estimates the claim's size and may scan the whole table.
            String claim = "WITH c" + dialect.materializedCte()
                    + "(SELECT id" + claimable + ")"
                    + " UPDATE " + instances + " AS i SET owner = ?, lease_until = ?, updated_at = ?,"
                    + " version = i.version + 1 FROM c WHERE i.id = c.id AND i.id = ANY(ARRAY(SELECT id FROM c))"
                    + " RETURNING " + InstanceRows.instanceColumns("i");
            this.claimSql = String.format(claim, "= ANY(?)", "");
            this.claimOwnSql = String.format(claim, "= ANY(?)", " OR owner = ?");
        } else {
            this.insertSql = insertRow;
            this.updateSql = updateRow;
            String claim = "SELECT " + InstanceRows.INSTANCE_COLUMNS + claimable;
            // The fingerprint placeholders are filled in per call, into the "%s" this format leaves.
            this.claimSql = String.format(claim, "IN (%s)", "");
            this.claimOwnSql = String.format(claim, "IN (%s)", " OR owner = ?");
        }
        this.claimWriteSql = "UPDATE " + instances + " SET owner = ?, lease_until = ?, updated_at = ?, version = ?"
                + " WHERE id = ? AND version = ?";
        this.insertHistorySql = "INSERT INTO " + history + " (" + InstanceRows.HISTORY_COLUMNS + ") VALUES (?, ?, ?)";
        this.findSql = "SELECT " + InstanceRows.INSTANCE_COLUMNS + " FROM " + instances + " WHERE id = ?";
        this.findByKeySql = "SELECT " + InstanceRows.INSTANCE_COLUMNS + " FROM " + instances
                + " WHERE saga_name = ? AND idempotency_key = ?";
        this.existsSql = "SELECT 1 FROM " + instances + " WHERE id = ?";
        this.historySql = "SELECT " + InstanceRows.HISTORY_COLUMNS + " FROM " + history + " WHERE saga_id = ? ORDER BY version";
        this.renewSql = "UPDATE " + instances + " SET lease_until = ? WHERE owner = ? AND status IN " + LIVE_STATUSES;
        this.releaseSql = "UPDATE " + instances + " SET owner = NULL, lease_until = NULL WHERE owner = ? AND status IN "
                + LIVE_STATUSES;
        this.releaseOneSql = "UPDATE " + instances + " SET owner = NULL, lease_until = NULL WHERE id = ? AND owner = ?";
        this.groupCommitRequested = builder.groupCommit;
        if (builder.groupCommit && dialect.supportsGroupCommit()) {
            this.batchSql = batchSql(dialect, instances, history);
            this.groupCommit = new GroupCommit<>(builder.groupCommitMaxBatch, builder.groupCommitMaxWait.toNanos(),
                    builder.groupCommitMaxInFlight, this::writeBatch);
        } else {
            this.batchSql = null;
            this.groupCommit = null;
        }
    }

    /**
     * A builder for a store on {@code dataSource}.
     *
     * @throws NullPointerException if {@code dataSource} is null
     */
    public static Builder builder(DataSource dataSource) {
        return new Builder(dataSource);
    }

    /** The dialect in use, named by the host or detected when the store was built. */
    public JdbcDialect dialect() {
        return dialect.kind();
    }

    /** The table prefix: the tables are {@code <prefix>instances} and {@code <prefix>history}. */
    public String tablePrefix() {
        return tables.prefix();
    }

    // ---------------------------------------------------------------- writes

    /**
     * {@inheritDoc}
     *
     * <p>The data is encoded before a connection is taken, so data that cannot be serialised fails
     * with {@link dev.sagaflow.SagaDataException} and nothing is written. One commit.
     *
     * @throws IllegalArgumentException if an instance with the same id exists, or a history entry
     *     belongs to another instance
     * @throws SagaStoreException if the database fails
     */
    @Override
    public boolean insert(SagaInstance instance, List<HistoryEntry> history) {
        Objects.requireNonNull(instance, "instance cannot be null");
        checkHistory(instance.id(), history);
        Encoded row = Encoded.of(instance);
        String what = "insert of saga instance";
        if (groupCommit != null) {
            PendingWrite write = new PendingWrite(true, row, -1, history);
            groupCommit.submit(write);
            switch (write.outcome(what)) {
                case WRITTEN:
                    return true;
                case NOT_WRITTEN:
                    // A unique key turned it down: tell a taken idempotency key (false) from a taken id (throws).
                    return autoCommitted(what, instance.id(), false, c -> resolveDuplicate(c, instance,
                            new SQLException("the insert conflicted with an existing row that is no longer there",
                                    "23505")));
                default:
                    break; // ALONE: written below, on its own
            }
        }
        if (dialect.supportsSingleStatementWrites()) {
            return autoCommitted(what, instance.id(), true, c -> {
                try (PreparedStatement ps = c.prepareStatement(insertSql)) {
                    ps.setString(1, instance.id());
                    int next = row.bindAllButId(ps, 2);
                    bindHistory(ps, next, instance.version(), history);
                    return rowCount(ps) == 1;
                } catch (SQLException e) {
                    if (dialect.isUniqueViolation(e)) {
                        return resolveDuplicate(c, instance, e);
                    }
                    throw e;
                }
            });
        }
        return inTransaction(what, instance.id(), written -> written, c -> {
            try (PreparedStatement ps = c.prepareStatement(insertSql)) {
                ps.setString(1, instance.id());
                row.bindAllButId(ps, 2);
                ps.executeUpdate();
            } catch (SQLException e) {
                if (dialect.isUniqueViolation(e)) {
                    return resolveDuplicate(c, instance, e);
                }
                throw e;
            }
            appendHistory(c, instance.id(), instance.version(), history);
            return true;
        });
    }

    /**
     * {@inheritDoc}
     *
     * <p>Writes every column but {@code id} from {@code next}. One commit when written, none when the
     * race is lost.
     *
     * @throws IllegalArgumentException if {@code next.version()} is not {@code expectedVersion + 1},
     *     or a history entry belongs to another instance
     * @throws IllegalStateException if more than one row has the instance's id (the table lost its
     *     primary key; on PostgreSQL the single statement has committed by then)
     * @throws SagaStoreException if the database fails
     */
    @Override
    public boolean update(long expectedVersion, SagaInstance next, List<HistoryEntry> history) {
        Objects.requireNonNull(next, "next cannot be null");
        if (next.version() != expectedVersion + 1) {
            throw new IllegalArgumentException("next.version must be expectedVersion + 1 (" + (expectedVersion + 1)
                    + ") for saga instance " + next.id() + ", was " + next.version());
        }
        checkHistory(next.id(), history);
        Encoded row = Encoded.of(next);
        String what = "update of saga instance to version " + next.version();
        if (groupCommit != null) {
            PendingWrite write = new PendingWrite(false, row, expectedVersion, history);
            groupCommit.submit(write);
            switch (write.outcome(what)) {
                case WRITTEN:
                    return true;
                case NOT_WRITTEN:
                    return false;
                case TOO_MANY_ROWS:
                    throw tooManyRows("update of", next.id(), 2);
                default:
                    break; // ALONE: written below, on its own
            }
        }
        if (dialect.supportsSingleStatementWrites()) {
            int rows = autoCommitted(what, next.id(), true,
                    c -> writeUpdate(c, expectedVersion, row, history));
            return checkUpdated(rows, next.id());
        }
        int rows = inTransaction(what, next.id(), n -> n == 1,
                c -> writeUpdate(c, expectedVersion, row, history));
        return checkUpdated(rows, next.id());
    }

    /**
     * {@inheritDoc}
     *
     * <p>One transaction on one pooled connection: the work's statements, then the same version-checked
     * update and history rows as {@link #update}, then one commit.
     */
    @Override
    public boolean updateWithLocalWork(long expectedVersion, LocalWork work) {
        Objects.requireNonNull(work, "work cannot be null");
        int rows = inTransaction("local step write", null, n -> n == 1, c -> {
            Write write;
            try {
                write = work.perform(c);
            } catch (Exception e) {
                throw new LocalWorkException(e);
            }
            SagaInstance next = write.next();
            if (next.version() != expectedVersion + 1) {
                throw new IllegalArgumentException("next.version must be expectedVersion + 1 (" + (expectedVersion + 1)
                        + ") for saga instance " + next.id() + ", was " + next.version());
            }
            checkHistory(next.id(), write.history());
            return writeUpdate(c, expectedVersion, Encoded.of(next), write.history());
        });
        return rows == 1;
    }

    /** The version-checked update and its history rows, on {@code c}; returns the rows updated. */
    private int writeUpdate(Connection c, long expectedVersion, Encoded row, List<HistoryEntry> history)
            throws SQLException {
        SagaInstance next = row.instance();
        try (PreparedStatement ps = c.prepareStatement(updateSql)) {
            int i = row.bindAllButId(ps, 1);
            ps.setString(i++, next.id());
            ps.setLong(i++, expectedVersion);
            if (dialect.supportsSingleStatementWrites()) {
                bindHistory(ps, i, next.version(), history);
                return rowCount(ps);
            }
            int n = ps.executeUpdate();
            if (n == 1) {
                appendHistory(c, next.id(), next.version(), history);
            }
            return n;
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>On PostgreSQL one statement (a locking {@code SELECT ... SKIP LOCKED} feeding an
     * {@code UPDATE ... RETURNING}); elsewhere one transaction that locks the candidates, then writes
     * each with a version check. One commit when anything was claimed. Rows that cannot be read are
     * skipped, logged at ERROR, and not kept claimed.
     */
    @Override
    public List<SagaInstance> claim(ClaimRequest request) {
        Objects.requireNonNull(request, "request cannot be null");
        if (request.fingerprints().isEmpty()) {
            return List.of();
        }
        // Concurrent claims may deadlock on MariaDB/MySQL (gap locks); the loser's transaction was
        // rolled back whole, so trying again is safe.
        for (int attempt = 1; ; attempt++) {
            try {
                return claimOnce(request);
            } catch (SagaStoreException e) {
                if (attempt >= CLAIM_ATTEMPTS || !isTransient(e)) {
                    throw e;
                }
                log.debug("claim for owner '{}' hit a deadlock or serialization failure, trying again: {}",
                        request.owner(), e.getMessage());
            }
        }
    }

    private static boolean isTransient(SagaStoreException e) {
        return e.getCause() instanceof SQLException sql && sql.getSQLState() != null
                && sql.getSQLState().startsWith("40");
    }

    private List<SagaInstance> claimOnce(ClaimRequest request) {
        String what = "claim for owner '" + request.owner() + "'";
        List<String> fingerprints = List.copyOf(request.fingerprints());
        long now = Micros.of(request.now());
        long leaseUntil = Micros.of(request.leaseUntil());
        if (dialect.supportsSingleStatementWrites()) {
            return autoCommitted(what, null, true, c -> {
                try (PreparedStatement ps = c.prepareStatement(request.includeOwn() ? claimOwnSql : claimSql)) {
                    int i = 1;
                    ps.setArray(i++, c.createArrayOf("varchar", fingerprints.toArray()));
                    ps.setLong(i++, now);
                    if (request.includeOwn()) {
                        ps.setString(i++, request.owner());
                    }
                    ps.setInt(i++, request.limit());
                    ps.setString(i++, request.owner());
                    ps.setLong(i++, leaseUntil);
                    ps.setLong(i, now);
                    List<SagaInstance> claimed = new ArrayList<>();
                    List<String> unreadable = new ArrayList<>();
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            SagaInstance instance = readOrSkip(rs, "claim");
                            if (instance == null) {
                                unreadable.add(rs.getString(1));
                            } else {
                                claimed.add(instance);
                            }
                        }
                    }
                    release(c, unreadable, request.owner());
                    // RETURNING has no order: restore the claim's own, oldest first.
                    claimed.sort(SagaQuery.RESULT_ORDER);
                    return claimed;
                }
            });
        }
        String select = String.format(request.includeOwn() ? claimOwnSql : claimSql,
                fingerprints.stream().map(f -> "?").collect(Collectors.joining(", ")));
        Instant writtenNow = Micros.toInstant(now);
        Instant writtenLease = Micros.toInstant(leaseUntil);
        return inTransaction(what, null, claimed -> !claimed.isEmpty(), c -> {
            List<SagaInstance> candidates = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(select)) {
                int i = 1;
                for (String fingerprint : fingerprints) {
                    ps.setString(i++, fingerprint);
                }
                ps.setLong(i++, now);
                if (request.includeOwn()) {
                    ps.setString(i++, request.owner());
                }
                ps.setInt(i, request.limit());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        SagaInstance candidate = readOrSkip(rs, "claim");
                        if (candidate != null) {
                            candidates.add(candidate);
                        }
                    }
                }
            }
            List<SagaInstance> claimed = new ArrayList<>(candidates.size());
            if (candidates.isEmpty()) {
                return claimed;
            }
            try (PreparedStatement ps = c.prepareStatement(claimWriteSql)) {
                for (SagaInstance candidate : candidates) {
                    ps.setString(1, request.owner());
                    ps.setLong(2, leaseUntil);
                    ps.setLong(3, now);
                    ps.setLong(4, candidate.version() + 1);
                    ps.setString(5, candidate.id());
                    ps.setLong(6, candidate.version());
                    // One row at a time, not batched: a batch may not report per-row counts, and the
                    // version check decides which candidates this claimer really got.
                    int n = ps.executeUpdate();
                    if (n == 1) {
                        claimed.add(candidate.claimedBy(request.owner(), writtenLease, writtenNow));
                    } else if (n > 1) {
                        throw tooManyRows("claim of", candidate.id(), n);
                    }
                }
            }
            return claimed;
        });
    }

    /** {@inheritDoc} One {@code UPDATE} statement, one commit. */
    @Override
    public int renewLeases(String owner, Instant leaseUntil) {
        Objects.requireNonNull(owner, "owner cannot be null");
        long until = Micros.of(Objects.requireNonNull(leaseUntil, "leaseUntil cannot be null"));
        return autoCommitted("lease renewal for owner '" + owner + "'", null, true, c -> {
            try (PreparedStatement ps = c.prepareStatement(renewSql)) {
                ps.setLong(1, until);
                ps.setString(2, owner);
                return ps.executeUpdate();
            }
        });
    }

    /** {@inheritDoc} One {@code UPDATE} statement, one commit. */
    @Override
    public int releaseLeases(String owner) {
        Objects.requireNonNull(owner, "owner cannot be null");
        return autoCommitted("lease release for owner '" + owner + "'", null, true, c -> {
            try (PreparedStatement ps = c.prepareStatement(releaseSql)) {
                ps.setString(1, owner);
                return ps.executeUpdate();
            }
        });
    }

    // ---------------------------------------------------------------- reads

    /**
     * {@inheritDoc}
     *
     * @throws SagaStoreException if the database fails, or if the row cannot be read (an unknown
     *     status, steps not in the store's format); the message names the instance and the problem
     */
    @Override
    public Optional<SagaInstance> find(String id) {
        Objects.requireNonNull(id, "id cannot be null");
        return autoCommitted("read of saga instance", id, false, c -> {
            try (PreparedStatement ps = c.prepareStatement(findSql)) {
                ps.setString(1, id);
                return first(ps);
            }
        });
    }

    @Override
    public Optional<SagaInstance> findByIdempotencyKey(String sagaName, String idempotencyKey) {
        Objects.requireNonNull(sagaName, "sagaName cannot be null");
        Objects.requireNonNull(idempotencyKey, "idempotencyKey cannot be null");
        return autoCommitted("read of saga '" + sagaName + "' by idempotency key '" + idempotencyKey + "'", null, false,
                c -> {
                    try (PreparedStatement ps = c.prepareStatement(findByKeySql)) {
                        ps.setString(1, sagaName);
                        ps.setString(2, idempotencyKey);
                        return first(ps);
                    }
                });
    }

    @Override
    public List<HistoryEntry> history(String id) {
        Objects.requireNonNull(id, "id cannot be null");
        return autoCommitted("read of the history of saga instance", id, false, c -> {
            try (PreparedStatement ps = c.prepareStatement(historySql)) {
                ps.setString(1, id);
                List<HistoryEntry> entries = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        entries.addAll(InstanceRows.readHistory(rs));
                    }
                }
                return entries;
            }
        });
    }

    /** {@inheritDoc} Rows that cannot be read are skipped and logged at ERROR. */
    @Override
    public List<SagaInstance> query(SagaQuery query) {
        Objects.requireNonNull(query, "query cannot be null");
        String sql = querySql(query);
        return autoCommitted("query " + query, null, false, c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                int i = 1;
                if (query.sagaName() != null) {
                    ps.setString(i++, query.sagaName());
                }
                if (query.updatedBefore() != null) {
                    ps.setLong(i++, Micros.of(query.updatedBefore()));
                }
                ps.setInt(i, query.limit());
                List<SagaInstance> found = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        SagaInstance instance = readOrSkip(rs, "query");
                        if (instance != null) {
                            found.add(instance);
                        }
                    }
                }
                return found;
            }
        });
    }

    /** The SQL text of {@code query}: what {@link #query(SagaQuery)} runs, for plans and tests. */
    String querySql(SagaQuery query) {
        List<String> where = new ArrayList<>(3);
        if (!query.statuses().isEmpty()) {
            where.add("status IN " + inList(query.statuses().stream().sorted().toList()));
        }
        if (query.sagaName() != null) {
            where.add("saga_name = ?");
        }
        if (query.updatedBefore() != null) {
            where.add("updated_at < ?");
        }
        return "SELECT " + InstanceRows.INSTANCE_COLUMNS + " FROM " + tables.instances()
                + (where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where))
                + " ORDER BY created_at, id LIMIT ?";
    }

    /** The SQL text of a claim, with one fingerprint placeholder where the dialect lists them. */
    String claimSql(boolean includeOwn) {
        String sql = includeOwn ? claimOwnSql : claimSql;
        return dialect.supportsSingleStatementWrites() ? sql : String.format(sql, "?");
    }

    /** The SQL text of {@link #renewLeases}, for plans and tests. */
    String renewLeasesSql() {
        return renewSql;
    }

    /** The SQL text of {@link #findByIdempotencyKey}, for plans and tests. */
    String findByKeySql() {
        return findByKeySql;
    }

    /** The SQL text of {@link #history}, for plans and tests. */
    String historySql() {
        return historySql;
    }

    /** Prints every setting. */
    @Override
    public String toString() {
        return "JdbcSagaStore[" + dialect + ", tables " + tables + ", createSchemaIfMissing " + createSchemaIfMissing
                + ", " + (groupCommit != null ? groupCommit : groupCommitRequested ? "group commit requested but not"
                        + " available on " + dialect.kind() + ": one transaction per write" : "group commit off") + "]";
    }

    // ---------------------------------------------------------------- plumbing

    // ---------------------------------------------------------------- group commit

    /** What became of a write in a group commit. */
    private enum Outcome { WRITTEN, NOT_WRITTEN, TOO_MANY_ROWS, ALONE, FAILED }

    /** One caller's insert or update, waiting in a group commit. */
    private static final class PendingWrite extends GroupCommit.Pending {
        final boolean insert;
        final Encoded row;
        final long expectedVersion;
        final List<HistoryEntry> history;
        private Outcome outcome;
        private RuntimeException failure;

        PendingWrite(boolean insert, Encoded row, long expectedVersion, List<HistoryEntry> history) {
            this.insert = insert;
            this.row = row;
            this.expectedVersion = expectedVersion;
            this.history = history;
        }

        String id() {
            return row.instance().id();
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

    /**
     * An array parameter of {@code type} for {@code unnest}, behind a sub-select. The sub-select hides the array's
     * length from the planner, so that its estimate for {@code unnest} no longer depends on the values bound:
     * the plan for the values at hand then costs the same as the generic plan, the server settles on the generic
     * plan after five executions of the prepared statement, and stops planning it again on every call (planning
     * this statement costs more than running it).
     */
    private static String opaqueArray(String type) {
        return "(SELECT CAST(? AS " + type + "[]))";
    }

    /**
     * The statement that writes a batch: inserts (skipping any that a unique key turns down), compare-and-set
     * updates, and the history rows of the writes that happened, in order; it returns one row per instance row
     * written ({@code true} for an insert). Each column travels as one array, so its text does not depend on the
     * batch's size and the server prepares it once per connection.
     */
    private static String batchSql(Dialect dialect, String instances, String history) {
        String[] columns = InstanceRows.INSTANCE_COLUMNS.split(", ");
        String[] types = {"varchar", "int4", "varchar", "varchar", "varchar", "text", "text", "int8", "int8", "int8",
            "varchar", "int8", "int8", "text"};
        StringBuilder arrays = new StringBuilder();
        StringBuilder names = new StringBuilder();
        StringBuilder values = new StringBuilder();
        StringBuilder set = new StringBuilder();
        for (int k = 1; k < columns.length; k++) {
            String column = columns[k];
            arrays.append(", ").append(opaqueArray(types[k - 1]));
            names.append(", ").append(column);
            String value = column.equals("data") ? dialect.dataParameter().replace("?", "%s.data")
                    : column.equals("steps") ? dialect.stepsParameter().replace("?", "%s.steps") : "%s." + column;
            values.append(", ").append(String.format(value, "ni"));
            set.append(k == 1 ? "" : ", ").append(column).append(" = ").append(String.format(value, "nu"));
        }
        return "WITH ni AS (SELECT * FROM unnest(" + opaqueArray("varchar") + arrays + ") WITH ORDINALITY AS t(id" + names
                + ", n)),"
                + " wi AS (INSERT INTO " + instances + " (" + InstanceRows.INSTANCE_COLUMNS + ") SELECT ni.id" + values
                + " FROM ni ORDER BY ni.n ON CONFLICT DO NOTHING RETURNING id),"
                + " nu AS (SELECT * FROM unnest(" + opaqueArray("varchar") + ", " + opaqueArray("int8") + arrays + ") AS t(id, expected"
                + names + ")),"
                + " wu AS (UPDATE " + instances + " AS i SET " + set + " FROM nu WHERE i.id = nu.id"
                + " AND i.version = nu.expected RETURNING i.id),"
                + " h AS (INSERT INTO " + history + " (" + InstanceRows.HISTORY_COLUMNS + ")"
                + " SELECT e.saga_id, e.version, e.entries FROM unnest(" + opaqueArray("varchar")
                + ", " + opaqueArray("int8") + ", " + opaqueArray("text") + ") AS e(saga_id, version, entries)"
                + " WHERE e.saga_id IN (SELECT id FROM wi UNION ALL SELECT id FROM wu))"
                + " SELECT true, id FROM wi UNION ALL SELECT false, id FROM wu";
    }

    /**
     * Writes one batch with one statement and one commit, then records every write's outcome; a batch of one is
     * handed back to its caller, who writes it as without group commit. A statement the
     * database refused wrote nothing: each write is then tried again alone by its caller. A failure that leaves
     * the outcome unknown (no connection, a broken one) fails every write of the batch.
     */
    private void writeBatch(List<PendingWrite> batch) {
        if (batch.size() == 1) {
            // Nothing to share a commit with: the single-write statement is cheaper than a batch of one.
            batch.get(0).finish(Outcome.ALONE, null);
            return;
        }
        String what = "group commit of " + batch.size() + " write(s)";
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            Map<String, Integer> inserted = new HashMap<>();
            Map<String, Integer> updated = new HashMap<>();
            try {
                try (PreparedStatement ps = c.prepareStatement(batchSql)) {
                    bindBatch(c, ps, batch);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            (rs.getBoolean(1) ? inserted : updated).merge(rs.getString(2), 1, Integer::sum);
                        }
                    }
                }
                if (!autoCommit) {
                    c.commit();
                }
            } catch (SQLException e) {
                if (!autoCommit) {
                    rollbackQuietly(c, e);
                }
                boolean refused = e.getSQLState() != null && !e.getSQLState().startsWith("08");
                if (refused && batch.size() > 1) {
                    log.debug("{} refused by the database, each write is tried alone: {}", what, e.toString());
                    for (PendingWrite write : batch) {
                        write.finish(Outcome.ALONE, null);
                    }
                } else {
                    SagaStoreException failure = storeException(what, batch.size() == 1 ? batch.get(0).id() : null, e);
                    for (PendingWrite write : batch) {
                        write.finish(Outcome.FAILED, failure);
                    }
                }
                return;
            }
            for (PendingWrite write : batch) {
                int rows = (write.insert ? inserted : updated).getOrDefault(write.id(), 0);
                write.finish(rows == 0 ? Outcome.NOT_WRITTEN
                        : rows == 1 || write.insert ? Outcome.WRITTEN : Outcome.TOO_MANY_ROWS, null);
            }
        } catch (SQLException | RuntimeException e) {
            // No connection, or closing it failed: the writes not yet finished have an unknown outcome.
            SagaStoreException failure = e instanceof SQLException sql ? storeException(what, null, sql)
                    : new SagaStoreException(what + " failed: " + e, null, e);
            for (PendingWrite write : batch) {
                if (!write.isDone()) {
                    write.finish(Outcome.FAILED, failure);
                }
            }
        }
    }

    private static void bindBatch(Connection c, PreparedStatement ps, List<PendingWrite> batch) throws SQLException {
        List<PendingWrite> inserts = new ArrayList<>(batch.size());
        List<PendingWrite> updates = new ArrayList<>(batch.size());
        int withHistory = 0;
        for (PendingWrite write : batch) {
            (write.insert ? inserts : updates).add(write);
            withHistory += write.history.isEmpty() ? 0 : 1;
        }
        // Rows are locked in id order, so that batches written at the same time never deadlock on each other.
        inserts.sort(Comparator.comparing(PendingWrite::id));
        updates.sort(Comparator.comparing(PendingWrite::id));
        int i = bindRows(c, ps, 1, inserts, false);
        i = bindRows(c, ps, i, updates, true);
        String[] sagaId = new String[withHistory];
        Long[] version = new Long[withHistory];
        String[] entries = new String[withHistory];
        int k = 0;
        for (PendingWrite write : batch) {
            if (!write.history.isEmpty()) {
                sagaId[k] = write.id();
                version[k] = write.row.instance().version();
                entries[k] = HistoryJson.encode(write.history);
                k++;
            }
        }
        setArray(c, ps, i++, "varchar", sagaId);
        setArray(c, ps, i++, "int8", version);
        setArray(c, ps, i, "text", entries);
    }

    /** Binds the rows' columns as arrays, the id first (then the expected version for updates); returns the next index. */
    private static int bindRows(Connection c, PreparedStatement ps, int first, List<PendingWrite> rows,
            boolean withExpected) throws SQLException {
        int n = rows.size();
        String[] id = new String[n];
        Long[] expected = new Long[n];
        String[] sagaName = new String[n];
        Integer[] sagaVersion = new Integer[n];
        String[] fingerprint = new String[n];
        String[] key = new String[n];
        String[] status = new String[n];
        String[] data = new String[n];
        String[] steps = new String[n];
        Long[] createdAt = new Long[n];
        Long[] updatedAt = new Long[n];
        Long[] deadline = new Long[n];
        String[] owner = new String[n];
        Long[] leaseUntil = new Long[n];
        Long[] version = new Long[n];
        String[] error = new String[n];
        for (int k = 0; k < n; k++) {
            PendingWrite write = rows.get(k);
            SagaInstance instance = write.row.instance();
            id[k] = instance.id();
            expected[k] = write.expectedVersion;
            sagaName[k] = instance.sagaName();
            sagaVersion[k] = instance.sagaVersion();
            fingerprint[k] = instance.fingerprint();
            key[k] = instance.idempotencyKey();
            status[k] = instance.status().name();
            data[k] = write.row.data();
            steps[k] = write.row.steps();
            createdAt[k] = Micros.of(instance.createdAt());
            updatedAt[k] = Micros.of(instance.updatedAt());
            deadline[k] = instance.deadline() == null ? null : Micros.of(instance.deadline());
            owner[k] = instance.owner();
            leaseUntil[k] = instance.leaseUntil() == null ? null : Micros.of(instance.leaseUntil());
            version[k] = instance.version();
            error[k] = instance.error();
        }
        int i = first;
        setArray(c, ps, i++, "varchar", id);
        if (withExpected) {
            setArray(c, ps, i++, "int8", expected);
        }
        setArray(c, ps, i++, "varchar", sagaName);
        setArray(c, ps, i++, "int4", sagaVersion);
        setArray(c, ps, i++, "varchar", fingerprint);
        setArray(c, ps, i++, "varchar", key);
        setArray(c, ps, i++, "varchar", status);
        setArray(c, ps, i++, "text", data);
        setArray(c, ps, i++, "text", steps);
        setArray(c, ps, i++, "int8", createdAt);
        setArray(c, ps, i++, "int8", updatedAt);
        setArray(c, ps, i++, "int8", deadline);
        setArray(c, ps, i++, "varchar", owner);
        setArray(c, ps, i++, "int8", leaseUntil);
        setArray(c, ps, i++, "int8", version);
        setArray(c, ps, i++, "text", error);
        return i;
    }

    /** The SQL text of a group commit's batch, or {@code null} when group commit is not active; for plans and tests. */
    String batchSql() {
        return batchSql;
    }

    @FunctionalInterface
    private interface Work<R> {
        R run(Connection connection) throws SQLException;
    }

    /**
     * Runs {@code work}, whose statements commit themselves in autocommit mode. When the pool hands
     * out connections with autocommit off, a write is committed and a read is rolled back here, so
     * the cost stays one commit either way.
     */
    private <R> R autoCommitted(String what, String sagaId, boolean write, Work<R> work) {
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            try {
                R result = work.run(c);
                if (!autoCommit) {
                    if (write) {
                        c.commit();
                    } else {
                        c.rollback();
                    }
                }
                return result;
            } catch (SQLException | RuntimeException e) {
                if (!autoCommit) {
                    rollbackQuietly(c, e);
                }
                throw e;
            }
        } catch (SQLException e) {
            throw storeException(what, sagaId, e);
        }
    }

    /** Runs {@code work} in one transaction, committed if {@code commitIf} accepts its result and rolled back otherwise. */
    private <R> R inTransaction(String what, String sagaId, Predicate<R> commitIf, Work<R> work) {
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            if (autoCommit) {
                c.setAutoCommit(false);
            }
            try {
                R result = work.run(c);
                if (commitIf.test(result)) {
                    c.commit();
                } else {
                    c.rollback();
                }
                return result;
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(c, e);
                throw e;
            } finally {
                if (autoCommit) {
                    restoreAutoCommit(c);
                }
            }
        } catch (SQLException e) {
            throw storeException(what, sagaId, e);
        }
    }

    private SagaStoreException storeException(String what, String sagaId, SQLException e) {
        return new SagaStoreException(what + " failed on " + dialect.database() + " (tables " + tables + "): "
                + e.getMessage() + " [SQLState " + e.getSQLState() + "]", sagaId, e);
    }

    private static void rollbackQuietly(Connection c, Exception cause) {
        try {
            c.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    private static void restoreAutoCommit(Connection c) {
        try {
            c.setAutoCommit(true);
        } catch (SQLException e) {
            log.debug("cannot restore autocommit on a connection that is closed next", e);
        }
    }

    /**
     * After a duplicate key on insert: {@code false} if the idempotency key is taken (the contract's
     * "already started"), {@link IllegalArgumentException} if the id is; otherwise the original error.
     */
    private boolean resolveDuplicate(Connection c, SagaInstance instance, SQLException duplicate) throws SQLException {
        if (!c.getAutoCommit()) {
            c.rollback();
        }
        if (instance.idempotencyKey() != null) {
            try (PreparedStatement ps = c.prepareStatement(findByKeySql)) {
                ps.setString(1, instance.sagaName());
                ps.setString(2, instance.idempotencyKey());
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        return false;
                    }
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement(existsSql)) {
            ps.setString(1, instance.id());
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    throw new IllegalArgumentException("saga instance " + instance.id() + " already exists in "
                            + tables.instances() + "; ids must be unique");
                }
            }
        }
        throw duplicate;
    }

    /** The history row of one write, unless it records no entries. */
    private void appendHistory(Connection c, String id, long version, List<HistoryEntry> history) throws SQLException {
        if (history.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(insertHistorySql)) {
            ps.setString(1, id);
            bindHistory(ps, 2, version, history);
            ps.executeUpdate();
        }
    }

    /** Binds a write's version and its entries ({@code null} when it records none); returns the next index. */
    private static int bindHistory(PreparedStatement ps, int first, long version, List<HistoryEntry> history)
            throws SQLException {
        ps.setLong(first, version);
        ps.setString(first + 1, history.isEmpty() ? null : HistoryJson.encode(history));
        return first + 2;
    }

    private static void setArray(Connection c, PreparedStatement ps, int index, String type, Object[] values)
            throws SQLException {
        Array array = c.createArrayOf(type, values);
        ps.setArray(index, array);
    }

    private static int rowCount(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                throw new SQLException("the write returned no row count");
            }
            return rs.getInt(1);
        }
    }

    private boolean checkUpdated(int rows, String id) {
        if (rows > 1) {
            throw tooManyRows("update of", id, rows);
        }
        return rows == 1;
    }

    private IllegalStateException tooManyRows(String what, String id, int rows) {
        return new IllegalStateException(what + " saga instance " + id + " matched " + rows + " rows in "
                + tables.instances() + ", not one: its primary key on id is missing. This is a bug in the schema;"
                + " recreate the table from " + dialect.kind().schemaResource());
    }

    private static void checkHistory(String id, List<HistoryEntry> history) {
        Objects.requireNonNull(history, "history cannot be null");
        for (HistoryEntry entry : history) {
            if (!entry.sagaId().equals(id)) {
                throw new IllegalArgumentException("history entry " + entry.type() + " belongs to saga instance "
                        + entry.sagaId() + ", not to " + id);
            }
        }
    }

    /**
     * The instance in the current row, or {@code null} if the row cannot be read (someone rewrote it:
     * an unknown status, steps that are not the store's format): one unreadable row must not break
     * a claim or a query for every other instance. It is logged at ERROR, naming it, each time it is
     * skipped; {@link #find} reports it with a {@link SagaStoreException}.
     */
    private static SagaInstance readOrSkip(ResultSet rs, String during) throws SQLException {
        try {
            return InstanceRows.read(rs);
        } catch (SagaStoreException e) {
            log.error("skipping saga instance {} in a {}: its row cannot be read, and is left as it is for an"
                    + " operator: {}", rs.getString(1), during, e.getMessage());
            return null;
        }
    }

    /** Gives up the claim of rows that a claim statement took but cannot read, so that no node holds them. */
    private void release(Connection c, List<String> ids, String owner) throws SQLException {
        if (ids.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(releaseOneSql)) {
            for (String id : ids) {
                ps.setString(1, id);
                ps.setString(2, owner);
                ps.executeUpdate();
            }
        }
    }

    private static Optional<SagaInstance> first(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? Optional.of(InstanceRows.read(rs)) : Optional.empty();
        }
    }

    private static String inList(List<SagaStatus> statuses) {
        return statuses.stream().map(s -> "'" + s.name() + "'").collect(Collectors.joining(", ", "(", ")"));
    }

    /**
     * Builds a {@link JdbcSagaStore}. Not thread-safe; {@link #build()} copies the settings, so later
     * calls on the builder never change a store already built.
     */
    public static final class Builder {
        private final DataSource dataSource;
        private JdbcDialect dialect;
        private String tablePrefix = Tables.DEFAULT_PREFIX;
        private boolean createSchemaIfMissing;
        private boolean groupCommit;
        private int groupCommitMaxBatch = 64;
        private Duration groupCommitMaxWait = Duration.ZERO;
        private int groupCommitMaxInFlight = 1;
        private boolean groupCommitTuned;

        private Builder(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource cannot be null");
        }

        /**
         * The database's dialect. Default: detected from the connection's {@link java.sql.DatabaseMetaData}
         * when the store is built (which takes one connection), including capabilities that depend on
         * the server version. A dialect named here assumes a current server: MySQL 8.0.1+ or MariaDB
         * 10.6+ (SKIP LOCKED), PostgreSQL 12+.
         */
        public Builder dialect(JdbcDialect dialect) {
            this.dialect = Objects.requireNonNull(dialect, "dialect cannot be null");
            return this;
        }

        /**
         * The prefix of the table names ({@code <prefix>instances}, {@code <prefix>history}) and index
         * names. Default {@code saga_}. Tables live in the connection's current schema.
         *
         * @throws IllegalArgumentException unless it is a letter or {@code _} followed by at most 29
         *     letters, digits or {@code _} (it is spliced into SQL, so nothing else is accepted)
         */
        public Builder tablePrefix(String tablePrefix) {
            this.tablePrefix = Tables.checkPrefix(tablePrefix);
            return this;
        }

        /**
         * Whether {@link #build()} creates the tables and indexes that are missing, from the schema
         * file in the jar ({@link JdbcDialect#schemaResource()}). Default {@code false}: production
         * hosts usually run the schema file with their migration tool. Never drops or alters anything.
         */
        public Builder createSchemaIfMissing(boolean createSchemaIfMissing) {
            this.createSchemaIfMissing = createSchemaIfMissing;
            return this;
        }

        /**
         * Whether concurrent inserts and updates are gathered into batches of one statement and one commit
         * each (see the class comment). Default {@code false}. Every call still returns only once its write has
         * committed. Pays off when many sagas run at once; a lone writer pays nothing extra (its batch of one
         * goes at once), unless {@link #groupCommitMaxWait(Duration)} makes it wait. PostgreSQL only: on other
         * databases the store writes one transaction per write, and says so in its start-up log line.
         */
        public Builder groupCommit(boolean groupCommit) {
            this.groupCommit = groupCommit;
            return this;
        }

        /**
         * The most writes in one group-commit batch. Default 64. Needs {@link #groupCommit(boolean)}.
         *
         * @throws IllegalArgumentException if {@code maxBatchSize < 1}
         */
        public Builder groupCommitMaxBatchSize(int maxBatchSize) {
            if (maxBatchSize < 1) {
                throw new IllegalArgumentException("groupCommitMaxBatchSize must be >= 1, was " + maxBatchSize);
            }
            this.groupCommitMaxBatch = maxBatchSize;
            this.groupCommitTuned = true;
            return this;
        }

        /**
         * The most group-commit batches written at the same time, each on a connection of its own. Default 1:
         * the classic group commit, where the writes that arrive while a batch is being written form the next
         * one, which makes the largest batches. More lets a second batch go while the first waits for its commit
         * (or its writer for a core), at the price of smaller batches. Needs {@link #groupCommit(boolean)}.
         *
         * @throws IllegalArgumentException if {@code batches < 1}
         */
        public Builder groupCommitMaxBatchesInFlight(int batches) {
            if (batches < 1) {
                throw new IllegalArgumentException("groupCommitMaxBatchesInFlight must be >= 1, was " + batches);
            }
            this.groupCommitMaxInFlight = batches;
            this.groupCommitTuned = true;
            return this;
        }

        /**
         * How long the writer of a batch waits for more writes to join it before it writes, unless the batch is
         * full. Default zero: a batch holds whatever arrived while the previous one was being written, and no
         * write ever waits for company. A wait adds up to its length to every write's latency.
         * Needs {@link #groupCommit(boolean)}.
         *
         * @throws IllegalArgumentException if {@code maxWait} is null, negative or longer than one second
         */
        public Builder groupCommitMaxWait(Duration maxWait) {
            if (maxWait == null) {
                throw new IllegalArgumentException("groupCommitMaxWait cannot be null");
            }
            if (maxWait.isNegative() || maxWait.compareTo(Duration.ofSeconds(1)) > 0) {
                throw new IllegalArgumentException("groupCommitMaxWait must be between 0 and 1 s, was " + maxWait);
            }
            this.groupCommitMaxWait = maxWait;
            this.groupCommitTuned = true;
            return this;
        }

        /**
         * Builds the store: detects the dialect unless one was named and creates the schema if asked,
         * then logs the effective configuration once at INFO.
         *
         * @throws SagaStoreException if the database cannot be reached for detection or schema creation
         * @throws IllegalStateException if the detected database is not supported, or a group-commit setting
         *     is given without {@link #groupCommit(boolean) groupCommit(true)}
         */
        public JdbcSagaStore build() {
            if (groupCommitTuned && !groupCommit) {
                throw new IllegalStateException("groupCommitMaxBatchSize, groupCommitMaxWait and"
                        + " groupCommitMaxBatchesInFlight apply only with groupCommit(true), which is off");
            }
            Tables tables = new Tables(tablePrefix);
            Dialect resolved = dialect == null ? null : Dialect.of(dialect);
            if (resolved == null || createSchemaIfMissing) {
                try (Connection c = dataSource.getConnection()) {
                    if (resolved == null) {
                        resolved = Dialect.detect(c.getMetaData());
                    }
                    if (createSchemaIfMissing) {
                        Schema.createIfMissing(c, resolved, tables);
                    }
                } catch (SQLException e) {
                    throw new SagaStoreException((resolved == null ? "dialect detection" : "schema creation for "
                            + tables) + " failed: " + e.getMessage() + " [SQLState " + e.getSQLState() + "]", null, e);
                }
            }
            JdbcSagaStore store = new JdbcSagaStore(this, resolved);
            log.info("Sagaflow JDBC store: {}", store);
            return store;
        }

        @Override
        public String toString() {
            return "JdbcSagaStore.Builder[dialect " + (dialect == null ? "detected" : dialect) + ", tablePrefix "
                    + tablePrefix + ", createSchemaIfMissing " + createSchemaIfMissing + ", groupCommit " + groupCommit
                    + ", groupCommitMaxBatchSize " + groupCommitMaxBatch + ", groupCommitMaxWait " + groupCommitMaxWait
                    + ", groupCommitMaxBatchesInFlight " + groupCommitMaxInFlight + "]";
        }
    }
}
