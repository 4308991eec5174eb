package dev.sagaflow.jdbc;

import dev.sagaflow.SagaStoreException;
import dev.sagaflow.jdbc.internal.Dialect;
import dev.sagaflow.jdbc.internal.EncodedInstance;
import dev.sagaflow.jdbc.internal.GroupCommitWriter;
import dev.sagaflow.jdbc.internal.InstanceWriter;
import dev.sagaflow.jdbc.internal.Jdbc;
import dev.sagaflow.jdbc.internal.Leases;
import dev.sagaflow.jdbc.internal.Micros;
import dev.sagaflow.jdbc.internal.Outbox;
import dev.sagaflow.jdbc.internal.Purge;
import dev.sagaflow.jdbc.internal.Reads;
import dev.sagaflow.jdbc.internal.Replies;
import dev.sagaflow.jdbc.internal.Schema;
import dev.sagaflow.jdbc.internal.StoreClock;
import dev.sagaflow.jdbc.internal.Tables;
import dev.sagaflow.jdbc.internal.UnreadableRows;
import dev.sagaflow.store.ClaimRequest;
import dev.sagaflow.store.HistoryEntry;
import dev.sagaflow.store.InstanceWrite;
import dev.sagaflow.store.LeaseRenewal;
import dev.sagaflow.store.NodeLease;
import dev.sagaflow.store.NodeRegistration;
import dev.sagaflow.store.OutboxMessage;
import dev.sagaflow.store.OutboxStore;
import dev.sagaflow.store.RecordedReply;
import dev.sagaflow.store.SagaCount;
import dev.sagaflow.store.SagaInstance;
import dev.sagaflow.store.SagaQuery;
import dev.sagaflow.store.SagaStore;
import dev.sagaflow.store.TransactionalSagaStore;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
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
 * is one short transaction of two statements. A write that also consumes recorded replies or adds outbox messages
 * (it is also an {@link OutboxStore}) writes them in the same transaction. Every update is a compare-and-set on the
 * {@code version} column: zero rows updated is a lost race and returns {@code false}; more than one row means the table has lost its
 * primary key and throws {@link IllegalStateException}. A claim is one short transaction that locks candidate rows
 * with {@code FOR UPDATE SKIP LOCKED} where the database has it, so two nodes never claim the same instance, and
 * writes each one with a version check. Leases are written and compared on the database's clock, inside the
 * statements (see {@link Builder#leaseClock(Clock)}).
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
 * or a query for the other instances: it is skipped there and left exactly as it is for an operator (a claim
 * does not change it, not even its version), with an ERROR log line naming it once per version of the row;
 * {@link #find} reports it with a {@link SagaStoreException} that names it.
 *
 * <p><b>Connections.</b> Each call takes one connection from the data source and closes it before it returns
 * (restoring its auto-commit mode); no call holds two. The pool therefore needs one connection per store call
 * that may run at the same moment: one per thread that drives sagas (the orchestrator's worker threads, by default
 * {@code max(4, 2 × cores)}, or the host's executor, plus the host's own threads inside {@code run}, {@code start},
 * {@code find} and {@code list}), plus one for the timer thread, which renews leases. A local step holds its
 * connection while its work runs. With group commit, the writes of waiting callers hold no connection: a batch is
 * written on one connection by the caller that leads it, so concurrent writes need at most
 * {@link Builder#groupCommitMaxBatchesInFlight(int)} connections plus those of writes that go alone. When the pool
 * is too small, calls wait for a connection as the pool decides (HikariCP: {@code connectionTimeout}, 30 s by
 * default); a call that gets none fails with a {@link SagaStoreException}, which the runtime treats as the store
 * being down: writes are retried with backoff, {@code start} throws, and a node whose lease renewal cannot get a
 * connection for longer than its lease loses its sagas to other nodes. Failures of the database become
 * {@link SagaStoreException}s whose message names the operation and the instance.
 *
 * <p>Immutable and thread-safe.
 */
public final class JdbcSagaStore implements TransactionalSagaStore, OutboxStore {
    private static final Logger log = LoggerFactory.getLogger(JdbcSagaStore.class);

    private final Dialect dialect;
    private final Tables tables;
    private final boolean createSchemaIfMissing;
    private final Jdbc jdbc;
    private final InstanceWriter writer;
    private final Leases leases;
    private final Reads reads;
    private final Replies replies;
    private final Outbox outbox;
    private final Purge purge;
    /** How writes are committed, for {@link #toString()}. */
    private final String commits;

    private JdbcSagaStore(Builder builder, Dialect dialect, long maxStatementBytes) {
        this.dialect = dialect;
        this.tables = new Tables(builder.tablePrefix);
        this.createSchemaIfMissing = builder.createSchemaIfMissing;
        StoreClock clock = builder.leaseClock == null ? StoreClock.database(dialect) : StoreClock.of(builder.leaseClock);
        this.jdbc = new Jdbc(builder.dataSource, dialect, tables, clock, maxStatementBytes);
        UnreadableRows unreadable = new UnreadableRows();
        this.leases = new Leases(jdbc, unreadable);
        this.reads = new Reads(jdbc, unreadable);
        this.replies = new Replies(jdbc);
        this.outbox = new Outbox(jdbc);
        this.purge = new Purge(jdbc);
        if (builder.groupCommit && dialect.supportsGroupCommit()) {
            this.writer = new GroupCommitWriter(jdbc, builder.groupCommitMaxBatch, builder.groupCommitMaxWait.toNanos(),
                    builder.groupCommitMaxInFlight);
            this.commits = writer.toString();
        } else {
            this.writer = InstanceWriter.of(jdbc);
            this.commits = builder.groupCommit ? "group commit requested but not available on " + dialect.kind()
                    + ": one transaction per write" : "group commit off";
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

    /**
     * The table prefix: the tables are {@code <prefix>instances}, {@code <prefix>history}, {@code <prefix>nodes},
     * {@code <prefix>replies} and {@code <prefix>outbox}.
     */
    public String tablePrefix() {
        return tables.prefix();
    }

    /** {@inheritDoc} The database's clock (one {@code SELECT}), unless the builder named another. */
    @Override
    public Instant now() {
        return jdbc.autoCommitted("read of the database's clock", null, false,
                c -> Micros.toInstant(jdbc.clock().now(c)));
    }

    /**
     * {@inheritDoc}
     *
     * <p>The data is encoded before a connection is taken, so data that cannot be serialised fails
     * with {@link dev.sagaflow.SagaDataException} and nothing is written. One commit.
     *
     * @throws IllegalArgumentException if an instance with the same id exists
     * @throws SagaStoreException if the database fails, or (permanently) if the write is larger than the database
     *     takes in one statement
     */
    @Override
    public boolean insert(InstanceWrite write) {
        Objects.requireNonNull(write, "write cannot be null");
        return writer.insert(EncodedInstance.of(write));
    }

    /**
     * {@inheritDoc}
     *
     * <p>Writes every column but {@code id} from the write's instance, the lease from the store's clock. One
     * commit when written, none when the race is lost.
     *
     * @throws IllegalStateException if more than one row has the instance's id (the table lost its
     *     primary key; on PostgreSQL the single statement has committed by then)
     * @throws SagaStoreException if the database fails
     */
    @Override
    public boolean update(long expectedVersion, InstanceWrite write) {
        Objects.requireNonNull(write, "write cannot be null");
        checkNext(expectedVersion, write.instance());
        return writer.update(expectedVersion, EncodedInstance.of(write));
    }

    /**
     * {@inheritDoc}
     *
     * <p>One transaction on one pooled connection: the work's statements, then the same version-checked
     * update, history, replies and messages as {@link #update(long, InstanceWrite)}, then one commit.
     */
    @Override
    public boolean updateWithLocalWork(long expectedVersion, LocalWork work) {
        Objects.requireNonNull(work, "work cannot be null");
        return jdbc.inTransaction("local step write", null, n -> n == 1, c -> {
            InstanceWrite write;
            try {
                write = work.perform(c);
            } catch (Exception e) {
                throw new LocalWorkException(e);
            }
            checkNext(expectedVersion, write.instance());
            EncodedInstance row = EncodedInstance.of(write);
            jdbc.checkSize(row);
            return writer.update(c, expectedVersion, row);
        }) == 1;
    }

    /**
     * {@inheritDoc}
     *
     * <p>One transaction: the database's clock, a locking {@code SELECT ... FOR UPDATE SKIP LOCKED} of the
     * candidates (plain {@code FOR UPDATE} where the database cannot skip), then a version-checked update of each
     * readable one. One commit when anything was claimed. Rows that cannot be read are skipped, left as they are,
     * and logged at ERROR once per version. Its statements time out after a few seconds.
     */
    @Override
    public List<SagaInstance> claim(ClaimRequest request) {
        Objects.requireNonNull(request, "request cannot be null");
        return leases.claim(request);
    }

    /** {@inheritDoc} One short transaction. */
    @Override
    public NodeRegistration registerNode(NodeLease node) {
        Objects.requireNonNull(node, "node cannot be null");
        return leases.register(node);
    }

    /** {@inheritDoc} One short transaction of two statements, which time out after a few seconds. */
    @Override
    public LeaseRenewal renewLeases(NodeLease node) {
        Objects.requireNonNull(node, "node cannot be null");
        return leases.renew(node);
    }

    /** {@inheritDoc} One {@code UPDATE} statement, one commit. */
    @Override
    public int releaseLeases(String owner) {
        Objects.requireNonNull(owner, "owner cannot be null");
        return leases.release(owner);
    }

    /** {@inheritDoc} One {@code DELETE} statement. */
    @Override
    public void deregisterNode(NodeLease node) {
        Objects.requireNonNull(node, "node cannot be null");
        leases.deregister(node);
    }

    /** {@inheritDoc} One {@code INSERT ... SELECT} statement; the primary key refuses a second reply. */
    @Override
    public boolean recordReply(RecordedReply reply) {
        Objects.requireNonNull(reply, "reply cannot be null");
        return replies.record(reply);
    }

    @Override
    public List<RecordedReply> replies(String sagaId) {
        Objects.requireNonNull(sagaId, "sagaId cannot be null");
        return replies.list(sagaId);
    }

    /**
     * {@inheritDoc}
     *
     * @throws SagaStoreException if the database fails, or if the row cannot be read (an unknown
     *     status, steps not in the store's format); the message names the instance and the problem
     */
    @Override
    public Optional<SagaInstance> find(String id) {
        Objects.requireNonNull(id, "id cannot be null");
        return reads.find(id);
    }

    @Override
    public Optional<SagaInstance> findByIdempotencyKey(String sagaName, String idempotencyKey) {
        Objects.requireNonNull(sagaName, "sagaName cannot be null");
        Objects.requireNonNull(idempotencyKey, "idempotencyKey cannot be null");
        return reads.findByIdempotencyKey(sagaName, idempotencyKey);
    }

    @Override
    public List<HistoryEntry> history(String id) {
        Objects.requireNonNull(id, "id cannot be null");
        return reads.history(id);
    }

    /**
     * {@inheritDoc} Rows that cannot be read are skipped and logged at ERROR once per version. Pages follow each
     * other by position (keyset), so a deep page costs what the first does.
     */
    @Override
    public List<SagaInstance> query(SagaQuery query) {
        Objects.requireNonNull(query, "query cannot be null");
        return reads.query(query);
    }

    /** {@inheritDoc} One {@code GROUP BY} statement. */
    @Override
    public List<SagaCount> count(SagaQuery query) {
        Objects.requireNonNull(query, "query cannot be null");
        return reads.count(query);
    }

    /** {@inheritDoc} One transaction: the ids, then their history, replies, sent messages and rows. */
    @Override
    public int purgeFinished(Instant finishedBefore, int limit) {
        Objects.requireNonNull(finishedBefore, "finishedBefore cannot be null");
        return purge.finished(finishedBefore, checkLimit(limit));
    }

    /**
     * {@inheritDoc} On MySQL and MariaDB, {@code max_allowed_packet} less room for the rest of the statement (a
     * character takes at least a byte); a write whose text in UTF-8 exceeds it is refused before it is sent, with
     * a permanent {@link SagaStoreException}.
     */
    @Override
    public int maxDataLength() {
        return (int) Math.min(Integer.MAX_VALUE, jdbc.maxStatementBytes());
    }

    /** {@inheritDoc} One short transaction; its select skips the messages other relays are claiming. */
    @Override
    public List<OutboxMessage> claimOutbox(String relay, Duration lease, int limit) {
        Objects.requireNonNull(relay, "relay cannot be null");
        Objects.requireNonNull(lease, "lease cannot be null");
        if (lease.isNegative() || lease.isZero()) {
            throw new IllegalArgumentException("lease must be > 0, was " + lease);
        }
        return outbox.claim(relay, lease, checkLimit(limit));
    }

    @Override
    public boolean markSent(String messageId, String relay) {
        Objects.requireNonNull(messageId, "messageId cannot be null");
        Objects.requireNonNull(relay, "relay cannot be null");
        return outbox.finish(messageId, relay, true, null);
    }

    @Override
    public boolean markFailed(String messageId, String relay, String reason) {
        Objects.requireNonNull(messageId, "messageId cannot be null");
        Objects.requireNonNull(relay, "relay cannot be null");
        Objects.requireNonNull(reason, "reason cannot be null");
        return outbox.finish(messageId, relay, false, reason);
    }

    @Override
    public List<FailedMessage> failedOutbox(int limit) {
        return outbox.failed(checkLimit(limit));
    }

    @Override
    public boolean retryOutbox(String messageId) {
        Objects.requireNonNull(messageId, "messageId cannot be null");
        return outbox.retry(messageId);
    }

    @Override
    public int purgeSentOutbox(Instant sentBefore, int limit) {
        Objects.requireNonNull(sentBefore, "sentBefore cannot be null");
        return purge.sent(sentBefore, checkLimit(limit));
    }

    /** The SQL text of {@code query}: what {@link #query(SagaQuery)} runs, for plans and tests. */
    String querySql(SagaQuery query) {
        return reads.querySql(query);
    }

    /** The SQL text of a claim's locking select, for one fingerprint, for plans and tests. */
    String claimSql(boolean includeOwn) {
        return leases.claimSql(1, 0, includeOwn);
    }

    /** The SQL text of {@link #renewLeases}'s statement for the instances, for plans and tests. */
    String renewLeasesSql() {
        return leases.renewSql();
    }

    /** The SQL text of {@link #findByIdempotencyKey}, for plans and tests. */
    String findByKeySql() {
        return reads.findByKeySql();
    }

    /** The SQL text of {@link #history}, for plans and tests. */
    String historySql() {
        return reads.historySql();
    }

    /** Prints every setting. */
    @Override
    public String toString() {
        return "JdbcSagaStore[" + dialect + ", tables " + tables + ", createSchemaIfMissing " + createSchemaIfMissing
                + ", " + commits + ", " + jdbc.clock() + "]";
    }

    private static void checkNext(long expectedVersion, SagaInstance next) {
        if (next.version() != expectedVersion + 1) {
            throw new IllegalArgumentException("next.version must be expectedVersion + 1 (" + (expectedVersion + 1)
                    + ") for saga instance " + next.id() + ", was " + next.version());
        }
    }

    private static int checkLimit(int limit) {
        if (limit < 1 || limit > SagaQuery.MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be between 1 and " + SagaQuery.MAX_LIMIT + ", was " + limit);
        }
        return limit;
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
        private Clock leaseClock;

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
         * The clock leases are written and compared on. Default: the database's own clock, read inside the
         * statements that write or compare leases, so that every node measures them on one clock whatever its own
         * says. Another clock is for tests that set the time by hand; in production, nodes whose clocks disagree
         * would then take each other's sagas.
         *
         * @throws NullPointerException if {@code clock} is null
         */
        public Builder leaseClock(Clock clock) {
            this.leaseClock = Objects.requireNonNull(clock, "clock cannot be null");
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
            long maxStatementBytes = Long.MAX_VALUE;
            if (resolved == null || createSchemaIfMissing || resolved.kind() == JdbcDialect.MYSQL) {
                String step = "dialect detection";
                try (Connection c = dataSource.getConnection()) {
                    if (resolved == null) {
                        resolved = Dialect.detect(c.getMetaData());
                    }
                    if (createSchemaIfMissing) {
                        step = "schema creation for " + tables;
                        Schema.createIfMissing(c, resolved, tables);
                    }
                    step = "reading the statement size limit";
                    maxStatementBytes = resolved.maxStatementBytes(c);
                } catch (SQLException e) {
                    // Nothing the runtime wrote is at stake: the store may be built once the database answers.
                    throw new SagaStoreException(step + " failed: " + e.getMessage() + " [SQLState " + e.getSQLState()
                            + "]", null, e, SagaStoreException.Failure.TRANSIENT);
                }
            }
            JdbcSagaStore store = new JdbcSagaStore(this, resolved, maxStatementBytes);
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
