package dev.sagaflow.jdbc;

import static dev.sagaflow.jdbc.support.Instances.startedEntry;
import static dev.sagaflow.jdbc.support.Instances.stepSucceeded;
import static dev.sagaflow.jdbc.support.Instances.stepSucceededEntries;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sagaflow.SagaEventType;
import dev.sagaflow.SagaStatus;
import dev.sagaflow.SagaStoreException;
import dev.sagaflow.StepStatus;
import dev.sagaflow.jdbc.internal.Dialect;
import dev.sagaflow.jdbc.internal.Schema;
import dev.sagaflow.jdbc.internal.Tables;
import dev.sagaflow.jdbc.support.CountingDataSource;
import dev.sagaflow.jdbc.support.Instances;
import dev.sagaflow.jdbc.support.TestDatabase;
import dev.sagaflow.store.ClaimRequest;
import dev.sagaflow.store.HistoryEntry;
import dev.sagaflow.store.LeaseRenewal;
import dev.sagaflow.store.NodeLease;
import dev.sagaflow.store.SagaData;
import dev.sagaflow.store.SagaInstance;
import dev.sagaflow.store.StepState;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TimeZone;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What only a database store has: the cost of each write in commits, schema creation, table
 * prefixes, dialect detection, time zones, and errors that name the instance. One subclass per
 * database; each uses its own table prefix and makes its rows unique, so runs do not collide and a
 * second run against the same database passes.
 */
abstract class AbstractJdbcSagaStoreTest {
    static final String PREFIX = "sft_jdbc_";
    private static final Set<TestDatabase> EMPTIED = ConcurrentHashMap.newKeySet();

    private CountingDataSource counting;
    private JdbcSagaStore store;
    private String run;

    /** The database under test. */
    abstract TestDatabase database();

    /** The dialect the database must be detected as. */
    abstract JdbcDialect expectedDialect();

    /** Statements each insert or update sends, for this dialect. */
    abstract int statementsPerWrite();

    @BeforeEach
    void openStore() {
        if (EMPTIED.add(database())) {
            // Once per run: rows of earlier runs would do no harm (every test makes its own), but pile up.
            database().deleteRows(PREFIX);
            database().deleteRows("sft_other_");
        }
        counting = new CountingDataSource(database().dataSource());
        store = JdbcSagaStore.builder(counting).tablePrefix(PREFIX).createSchemaIfMissing(true).build();
        run = UUID.randomUUID().toString().substring(0, 8);
        counting.reset();
    }

    // ---------------------------------------------------------------- commits per write

    @Test
    void an_insert_costs_one_commit() {
        SagaInstance instance = started(3);

        assertThat(store.insert(instance, List.of(startedEntry(instance)))).isTrue();

        assertThat(counting.commits()).isEqualTo(1);
        assertThat(counting.statements()).isEqualTo(statementsPerWrite());
        assertThat(counting.connections()).isEqualTo(1);
    }

    @Test
    void an_update_costs_one_commit() {
        SagaInstance instance = insert(started(3));
        SagaInstance next = stepSucceeded(instance, 1);
        counting.reset();

        assertThat(store.update(1, next, stepSucceededEntries(next, 1))).isTrue();

        assertThat(counting.commits()).isEqualTo(1);
        assertThat(counting.statements()).isEqualTo(statementsPerWrite());
    }

    @Test
    void a_happy_saga_of_five_steps_costs_six_commits() {
        int steps = 5;
        SagaInstance current = started(steps);
        List<HistoryEntry> expectedHistory = new ArrayList<>(List.of(startedEntry(current)));

        store.insert(current, List.of(startedEntry(current)));
        for (int done = 1; done <= steps; done++) {
            SagaInstance next = stepSucceeded(current, done);
            List<HistoryEntry> entries = stepSucceededEntries(next, done);
            assertThat(store.update(current.version(), next, entries)).isTrue();
            expectedHistory.addAll(entries);
            current = next;
        }

        assertThat(counting.commits()).isEqualTo(steps + 1);
        assertThat(counting.statements()).isEqualTo((steps + 1) * statementsPerWrite());
        SagaInstance stored = store.find(current.id()).orElseThrow();
        assertThat(stored.status()).isEqualTo(SagaStatus.COMPLETED);
        assertThat(stored.version()).isEqualTo(steps + 1);
        assertThat(store.history(current.id())).containsExactlyElementsOf(expectedHistory);
    }

    @Test
    void a_lost_race_commits_nothing() {
        SagaInstance instance = insert(started(2));
        SagaInstance next = stepSucceeded(instance, 1);
        counting.reset();

        assertThat(store.update(7, new SagaInstance(next.id(), next.sagaName(), next.sagaVersion(), next.fingerprint(),
                null, next.status(), next.data(), next.steps(), next.createdAt(), next.updatedAt(), null, null, null,
                8, null), stepSucceededEntries(next, 1))).isFalse();

        // PostgreSQL's single statement commits itself even when it changes nothing; that is its one commit.
        assertThat(counting.commits()).isEqualTo(statementsPerWrite() == 1 ? 1 : 0);
        assertThat(store.history(instance.id())).containsExactly(startedEntry(instance));
    }

    @Test
    void a_duplicate_idempotency_key_writes_nothing() {
        SagaInstance first = withKey(started(2), "order-42-" + run);
        SagaInstance second = withKey(started(2), "order-42-" + run);
        insert(first);

        assertThat(store.insert(second, List.of(startedEntry(second)))).isFalse();

        assertThat(store.find(second.id())).isEmpty();
        assertThat(store.history(second.id())).isEmpty();
    }

    @Test
    void renewing_leases_costs_two_statements_and_releasing_them_one_with_one_commit_each() {
        String owner = "node-" + run;
        NodeLease node = new NodeLease(owner, "incarnation-" + run, Duration.ofSeconds(60));
        store.registerNode(node);
        for (int i = 0; i < 3; i++) {
            SagaInstance instance = started(1);
            insert(new SagaInstance(instance.id(), instance.sagaName(), 1, instance.fingerprint(), null,
                    SagaStatus.RUNNING, instance.data(), instance.steps(), instance.createdAt(), instance.updatedAt(),
                    null, owner, Instances.T0.plusSeconds(30), 1, null));
        }
        counting.reset();

        assertThat(store.renewLeases(node)).isEqualTo(new LeaseRenewal(true, 3));
        assertThat(store.releaseLeases(owner)).isEqualTo(3);

        // The renewal: the node's registration, then its instances, in one transaction.
        assertThat(counting.statements()).isEqualTo(3);
        assertThat(counting.commits()).isEqualTo(2);
    }

    @Test
    void a_claim_of_several_instances_costs_one_commit() {
        String fingerprint = "fp-" + run;
        for (int i = 0; i < 3; i++) {
            insert(Instances.started("claim-" + run, fingerprint, 2));
        }
        counting.reset();

        List<SagaInstance> claimed = store.claim(new ClaimRequest("node-" + run, Instances.T0.plusSeconds(10),
                Instances.T0.plusSeconds(40), Set.of(fingerprint), false, 10));

        assertThat(claimed).hasSize(3);
        assertThat(counting.commits()).isEqualTo(1);
    }

    // ---------------------------------------------------------------- time

    @Test
    void microsecond_instants_round_trip_exactly_in_a_time_zone_far_from_utc() throws SQLException {
        assertThat(TimeZone.getDefault().getRawOffset()).as("JVM time zone offset").isNotZero();
        assertThat(sessionTimeZone()).as("session time zone").isNotIn("UTC", "Etc/UTC", "+00:00", "SYSTEM", "GMT");
        Instant micros = Instant.parse("2024-03-31T01:30:00.123456Z");
        Instant beforeEpoch = Instant.parse("1969-12-31T23:59:59.999999Z");
        SagaInstance base = started(1);
        StepState step = new StepState("step-1", StepStatus.RUNNING, 1, 0, false, micros,
                Instant.parse("2024-03-31T01:30:00.123456789Z"), beforeEpoch, null);
        SagaInstance instance = new SagaInstance(base.id(), base.sagaName(), 1, base.fingerprint(), null,
                SagaStatus.RUNNING, base.data(), List.of(step), beforeEpoch, micros, micros.plusSeconds(86_400),
                "node", micros.plusMillis(1), 1, null);

        Instant before = store.now();
        store.insert(instance, List.of(new HistoryEntry(instance.id(), micros, SagaEventType.SAGA_STARTED, null, 0,
                null)));
        Instant after = store.now();

        SagaInstance found = store.find(instance.id()).orElseThrow();
        assertThat(found.createdAt()).isEqualTo(beforeEpoch);
        assertThat(found.updatedAt()).isEqualTo(micros);
        assertThat(found.deadline()).isEqualTo(micros.plusSeconds(86_400));
        // The lease (1 ms from updatedAt) runs from the database's clock, in UTC whatever the zones.
        assertThat(found.leaseUntil()).isBetween(before.plusMillis(1), after.plusMillis(1));
        assertThat(Duration.between(Instant.now(), before).abs()).as("the database's clock is UTC")
                .isLessThan(Duration.ofMinutes(5));
        // Steps keep microseconds too: the nanoseconds of endedAt are cut off, towards the past.
        assertThat(found.steps()).containsExactly(step.with(step.status(), 1, 0, false, micros, micros, beforeEpoch,
                null));
        assertThat(store.history(instance.id()).get(0).at()).isEqualTo(micros);
    }

    @Test
    void nanoseconds_in_columns_are_cut_to_microseconds() {
        SagaInstance base = started(1);
        Instant nanos = Instant.parse("2024-03-31T01:30:00.123456789Z");
        SagaInstance instance = new SagaInstance(base.id(), base.sagaName(), 1, base.fingerprint(), null,
                SagaStatus.RUNNING, base.data(), base.steps(), nanos, nanos, null, null, null, 1, null);

        store.insert(instance, List.of());

        assertThat(store.find(instance.id()).orElseThrow().updatedAt())
                .isEqualTo(Instant.parse("2024-03-31T01:30:00.123456Z"));
    }

    // ---------------------------------------------------------------- schema, prefix, dialect

    @Test
    void schema_creation_is_idempotent() throws SQLException {
        for (int i = 0; i < 2; i++) {
            JdbcSagaStore.builder(database().dataSource()).tablePrefix(PREFIX).createSchemaIfMissing(true).build();
        }
        try (Connection c = database().dataSource().getConnection()) {
            Schema.createIfMissing(c, Dialect.detect(c.getMetaData()), new Tables(PREFIX));
        }

        SagaInstance instance = insert(started(1));
        assertThat(store.find(instance.id())).isPresent();
    }

    @Test
    void stores_with_different_table_prefixes_do_not_see_each_others_rows() {
        JdbcSagaStore other = JdbcSagaStore.builder(database().dataSource()).tablePrefix("sft_other_")
                .createSchemaIfMissing(true).build();
        SagaInstance mine = insert(started(1));
        SagaInstance theirs = started(1);
        other.insert(theirs, List.of(startedEntry(theirs)));

        assertThat(other.find(mine.id())).isEmpty();
        assertThat(store.find(theirs.id())).isEmpty();
        assertThat(other.find(theirs.id())).isPresent();
        assertThat(other.tablePrefix()).isEqualTo("sft_other_");
        assertThat(tableExists("sft_other_instances")).isTrue();
        assertThat(tableExists("sft_other_history")).isTrue();
    }

    @Test
    void the_dialect_is_detected_from_the_connection() {
        JdbcSagaStore detected = JdbcSagaStore.builder(database().dataSource()).tablePrefix(PREFIX).build();

        assertThat(detected.dialect()).isEqualTo(expectedDialect());
        assertThat(detected.toString()).contains("(detected)").contains(PREFIX + "instances");
    }

    @Test
    void a_dialect_named_by_the_host_is_used_without_detection() {
        CountingDataSource untouched = new CountingDataSource(database().dataSource());

        JdbcSagaStore named = JdbcSagaStore.builder(untouched).dialect(expectedDialect()).tablePrefix(PREFIX).build();

        // MySQL and MariaDB: one connection, for the statement size limit (max_allowed_packet).
        assertThat(untouched.connections()).isEqualTo(expectedDialect() == JdbcDialect.MYSQL ? 1 : 0);
        SagaInstance instance = started(1);
        assertThat(named.insert(instance, List.of(startedEntry(instance)))).isTrue();
        assertThat(store.find(instance.id())).isPresent();
    }

    // ---------------------------------------------------------------- errors

    @Test
    void a_missing_table_fails_with_an_error_naming_the_operation_and_the_instance() {
        JdbcSagaStore withoutTables = JdbcSagaStore.builder(database().dataSource()).tablePrefix("sft_missing_")
                .build();
        SagaInstance instance = started(1);

        assertThatThrownBy(() -> withoutTables.insert(instance, List.of(startedEntry(instance))))
                .isInstanceOf(SagaStoreException.class)
                .hasMessageContaining("insert of saga instance")
                .hasMessageContaining(instance.id())
                .hasMessageContaining("sft_missing_instances");
        assertThat(((SagaStoreException) catchThrowable(() -> withoutTables.find(instance.id()))).sagaId())
                .isEqualTo(instance.id());
    }

    @Test
    void a_stored_row_that_cannot_be_read_fails_with_an_error_naming_the_instance() {
        SagaInstance instance = insert(started(1));
        database().execute("UPDATE " + PREFIX + "instances SET steps = '[[\"x\",\"NO_SUCH\",1,0,false]]'"
                + " WHERE id = '" + instance.id() + "'");

        assertThatThrownBy(() -> store.find(instance.id()))
                .isInstanceOf(SagaStoreException.class)
                .hasMessageContaining(instance.id())
                .hasMessageContaining("NO_SUCH");
    }

    @Test
    void data_that_cannot_be_serialised_is_rejected_before_anything_is_written() {
        SagaInstance base = started(1);
        SagaInstance instance = new SagaInstance(base.id(), base.sagaName(), 1, base.fingerprint(), null,
                SagaStatus.RUNNING, SagaData.ofValue(new Object(), new FailingCodec()), base.steps(), base.createdAt(),
                base.updatedAt(), null, null, null, 1, null);
        counting.reset();

        assertThatThrownBy(() -> store.insert(instance, List.of(startedEntry(instance))))
                .isInstanceOf(dev.sagaflow.SagaDataException.class);
        assertThat(counting.connections()).isZero();
    }

    @Test
    void history_of_another_instance_is_rejected_as_a_caller_bug() {
        SagaInstance instance = started(1);
        SagaInstance other = started(1);

        assertThatThrownBy(() -> store.insert(instance, List.of(startedEntry(other))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(other.id());
        assertThat(store.find(instance.id())).isEmpty();
    }

    // ---------------------------------------------------------------- fixtures

    private SagaInstance started(int steps) {
        return Instances.started("order-" + run, "fp-" + run, steps);
    }

    private SagaInstance insert(SagaInstance instance) {
        assertThat(store.insert(instance, List.of(startedEntry(instance)))).isTrue();
        return instance;
    }

    private static SagaInstance withKey(SagaInstance i, String key) {
        return new SagaInstance(i.id(), i.sagaName(), i.sagaVersion(), i.fingerprint(), key, i.status(), i.data(),
                i.steps(), i.createdAt(), i.updatedAt(), i.deadline(), i.owner(), i.leaseUntil(), i.version(),
                i.error());
    }

    private static Throwable catchThrowable(Runnable runnable) {
        return org.assertj.core.api.Assertions.catchThrowable(runnable::run);
    }

    private String sessionTimeZone() throws SQLException {
        String sql = switch (database()) {
            case POSTGRESQL -> "SHOW TimeZone";
            case MARIADB -> "SELECT @@session.time_zone";
            case H2 -> "SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'TIME ZONE'";
        };
        try (Connection c = database().dataSource().getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : TimeZone.getDefault().getID();
        }
    }

    private boolean tableExists(String table) {
        try (Connection c = database().dataSource().getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
            return rs.next();
        } catch (SQLException e) {
            return false;
        }
    }

    /** A codec that cannot encode anything. */
    private static final class FailingCodec implements dev.sagaflow.spi.SagaCodec {
        @Override
        public String encode(Object value) throws Exception {
            throw new IllegalStateException("no serialiser for " + value.getClass().getName());
        }

        @Override
        public <T> T decode(String text, Class<T> type) {
            throw new UnsupportedOperationException();
        }
    }
}
