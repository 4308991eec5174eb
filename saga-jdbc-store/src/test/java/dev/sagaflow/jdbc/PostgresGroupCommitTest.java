package dev.sagaflow.jdbc;

import static dev.sagaflow.jdbc.support.Instances.startedEntry;
import static dev.sagaflow.jdbc.support.Instances.stepSucceeded;
import static dev.sagaflow.jdbc.support.Instances.stepSucceededEntries;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sagaflow.SagaEventType;
import dev.sagaflow.SagaStatus;
import dev.sagaflow.SagaStoreException;
import dev.sagaflow.jdbc.support.CountingDataSource;
import dev.sagaflow.jdbc.support.Instances;
import dev.sagaflow.jdbc.support.RequiresDatabase;
import dev.sagaflow.jdbc.support.TestDatabase;
import dev.sagaflow.store.HistoryEntry;
import dev.sagaflow.store.SagaInstance;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What group commit adds on PostgreSQL: many callers' writes share commits, each caller learns its own outcome,
 * and a batch that fails reports it to every caller in it. Every other store guarantee is checked by
 * {@link PostgresGroupCommitSagaStoreCompatibilityTest}. No timing is asserted: a long wait only lets batches
 * fill up, it is never required for a test to pass, except that "fewer commits than writes" needs some batch to
 * hold two writes, which a 200 ms wait for 16 writers released together makes all but certain.
 */
@RequiresDatabase(TestDatabase.POSTGRESQL)
class PostgresGroupCommitTest {
    private static final String PREFIX = "sft_gc_";
    private static final int WRITERS = 16;
    private static boolean emptied;

    private final ExecutorService threads = Executors.newFixedThreadPool(WRITERS);
    private final TestDatabase database = TestDatabase.POSTGRESQL;
    private final String sagaName = "gc-" + UUID.randomUUID().toString().substring(0, 8);

    @BeforeEach
    void emptyTablesOncePerRun() {
        if (!emptied) {
            database.deleteRows(PREFIX);
            emptied = true;
        }
    }

    @AfterEach
    void stopThreads() {
        threads.shutdownNow();
    }

    private JdbcSagaStore store(DataSource dataSource, Duration maxWait) {
        return store(dataSource, maxWait, 1);
    }

    private JdbcSagaStore store(DataSource dataSource, Duration maxWait, int inFlight) {
        return JdbcSagaStore.builder(dataSource).tablePrefix(PREFIX).createSchemaIfMissing(true).groupCommit(true)
                .groupCommitMaxBatchSize(WRITERS).groupCommitMaxWait(maxWait).groupCommitMaxBatchesInFlight(inFlight)
                .build();
    }

    @Test
    void concurrent_writers_share_commits_and_each_gets_its_own_result() throws Exception {
        concurrentWritersShareCommits(1, Duration.ofMillis(200));
    }

    @Test
    void with_three_batches_in_flight_and_no_wait_every_write_still_lands_once_and_in_order() throws Exception {
        concurrentWritersShareCommits(3, Duration.ZERO);
    }

    private void concurrentWritersShareCommits(int inFlight, Duration maxWait) throws Exception {
        CountingDataSource counting = new CountingDataSource(database.pooled());
        JdbcSagaStore store = store(counting, maxWait, inFlight);
        int updatesEach = 3;
        CyclicBarrier together = new CyclicBarrier(WRITERS);
        counting.reset();

        List<Future<SagaInstance>> results = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            results.add(threads.submit(() -> {
                SagaInstance current = Instances.started(sagaName, "fp", updatesEach);
                together.await();
                assertThat(store.insert(current, List.of(startedEntry(current)))).isTrue();
                for (int done = 1; done <= updatesEach; done++) {
                    SagaInstance next = stepSucceeded(current, done);
                    assertThat(store.update(current.version(), next, stepSucceededEntries(next, done))).isTrue();
                    current = next;
                }
                return current;
            }));
        }

        int writes = WRITERS * (1 + updatesEach);
        List<SagaInstance> lasts = new ArrayList<>();
        for (Future<SagaInstance> result : results) {
            lasts.add(result.get(1, TimeUnit.MINUTES));
        }
        int commits = counting.commits();
        for (SagaInstance last : lasts) {
            SagaInstance stored = store.find(last.id()).orElseThrow();
            assertThat(stored.status()).isEqualTo(SagaStatus.COMPLETED);
            assertThat(stored.version()).isEqualTo(1 + updatesEach);
            assertThat(store.history(last.id())).extracting(HistoryEntry::type).containsExactly(
                    SagaEventType.SAGA_STARTED, SagaEventType.STEP_SUCCEEDED, SagaEventType.STEP_SUCCEEDED,
                    SagaEventType.STEP_SUCCEEDED, SagaEventType.SAGA_COMPLETED);
        }
        if (maxWait.isZero()) {
            // Without a wait, how much gets batched depends on timing: never more commits than writes.
            assertThat(commits).isBetween(1, writes);
        } else {
            assertThat(commits).isLessThan(writes).isGreaterThan(0);
        }
    }

    @Test
    void a_lost_race_in_a_batch_fails_only_that_callers_write() throws Exception {
        JdbcSagaStore store = store(database.pooled(), Duration.ofMillis(200));
        SagaInstance contested = Instances.started(sagaName, "fp", 2);
        SagaInstance other = Instances.started(sagaName, "fp", 2);
        assertThat(store.insert(contested, List.of(startedEntry(contested)))).isTrue();
        assertThat(store.insert(other, List.of(startedEntry(other)))).isTrue();
        SagaInstance next = stepSucceeded(contested, 1);
        SagaInstance otherNext = stepSucceeded(other, 1);
        CyclicBarrier together = new CyclicBarrier(3);

        Callable<Boolean> race = () -> {
            together.await();
            return store.update(1, next, stepSucceededEntries(next, 1));
        };
        Future<Boolean> first = threads.submit(race);
        Future<Boolean> second = threads.submit(race);
        Future<Boolean> bystander = threads.submit(() -> {
            together.await();
            return store.update(1, otherNext, stepSucceededEntries(otherNext, 1));
        });

        assertThat(List.of(first.get(1, TimeUnit.MINUTES), second.get(1, TimeUnit.MINUTES)))
                .containsExactlyInAnyOrder(true, false);
        assertThat(bystander.get(1, TimeUnit.MINUTES)).isTrue();
        assertThat(store.history(contested.id())).hasSize(2);
        assertThat(store.find(other.id()).orElseThrow().version()).isEqualTo(2);
    }

    @Test
    void duplicate_idempotency_keys_in_one_batch_have_one_winner_and_a_duplicate_id_throws() throws Exception {
        JdbcSagaStore store = store(database.pooled(), Duration.ofMillis(200));
        String key = "order-" + UUID.randomUUID();
        SagaInstance existing = Instances.started(sagaName, "fp", 2);
        assertThat(store.insert(existing, List.of(startedEntry(existing)))).isTrue();
        CyclicBarrier together = new CyclicBarrier(4);
        List<Future<Boolean>> keyed = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            SagaInstance instance = withKey(Instances.started(sagaName, "fp", 2), key);
            keyed.add(threads.submit(() -> {
                together.await();
                return store.insert(instance, List.of(startedEntry(instance)));
            }));
        }
        Future<Boolean> sameId = threads.submit(() -> {
            together.await();
            return store.insert(existing, List.of(startedEntry(existing)));
        });

        List<Boolean> outcomes = new ArrayList<>();
        for (Future<Boolean> f : keyed) {
            outcomes.add(f.get(1, TimeUnit.MINUTES));
        }
        assertThat(outcomes).containsExactlyInAnyOrder(true, false, false);
        assertThatThrownBy(() -> sameId.get(1, TimeUnit.MINUTES)).hasCauseInstanceOf(IllegalArgumentException.class);
        assertThat(store.findByIdempotencyKey(sagaName, key)).isPresent();
    }

    @Test
    void a_batch_whose_outcome_is_unknown_fails_every_caller_in_it_and_claims_no_success() throws Exception {
        AtomicBoolean broken = new AtomicBoolean();
        JdbcSagaStore store = store(breakingBatches(database.pooled(), broken), Duration.ofMillis(200));
        List<SagaInstance> instances = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            instances.add(Instances.started(sagaName, "fp", 2));
        }
        broken.set(true);
        CyclicBarrier together = new CyclicBarrier(instances.size());

        List<Future<Boolean>> results = new ArrayList<>();
        for (SagaInstance instance : instances) {
            results.add(threads.submit(() -> {
                together.await();
                return store.insert(instance, List.of(startedEntry(instance)));
            }));
        }

        for (Future<Boolean> result : results) {
            assertThatThrownBy(() -> result.get(1, TimeUnit.MINUTES))
                    .hasCauseInstanceOf(SagaStoreException.class)
                    .hasMessageContaining("connection reset");
        }
        broken.set(false);
        for (SagaInstance instance : instances) {
            assertThat(store.find(instance.id())).isEmpty();
        }
    }

    @Test
    void a_write_the_database_refuses_fails_only_its_own_caller() throws Exception {
        JdbcSagaStore store = store(database.pooled(), Duration.ofMillis(200));
        List<SagaInstance> good = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            good.add(Instances.started(sagaName, "fp", 2));
        }
        // The instances table's saga_name column holds 200 characters: this row makes the batch's statement fail.
        SagaInstance bad = Instances.started("x".repeat(300), "fp", 2);
        HistoryEntry badEntry = startedEntry(bad);
        CyclicBarrier together = new CyclicBarrier(4);
        List<Future<Boolean>> results = new ArrayList<>();
        for (SagaInstance instance : good) {
            results.add(threads.submit(() -> {
                together.await();
                return store.insert(instance, List.of(startedEntry(instance)));
            }));
        }
        Future<Boolean> refused = threads.submit(() -> {
            together.await();
            return store.insert(bad, List.of(badEntry));
        });

        for (Future<Boolean> result : results) {
            assertThat(result.get(1, TimeUnit.MINUTES)).isTrue();
        }
        assertThatThrownBy(() -> refused.get(1, TimeUnit.MINUTES)).hasCauseInstanceOf(SagaStoreException.class);
        for (SagaInstance instance : good) {
            assertThat(store.find(instance.id())).isPresent();
            assertThat(store.history(instance.id())).containsExactly(startedEntry(instance));
        }
        assertThat(store.find(bad.id())).isEmpty();
    }

    @Test
    void a_lone_writer_writes_at_once_in_one_commit() {
        CountingDataSource counting = new CountingDataSource(database.pooled());
        JdbcSagaStore store = store(counting, Duration.ZERO);
        SagaInstance instance = Instances.started(sagaName, "fp", 2);
        counting.reset();

        assertThat(store.insert(instance, List.of(startedEntry(instance)))).isTrue();
        SagaInstance next = stepSucceeded(instance, 1);
        assertThat(store.update(1, next, stepSucceededEntries(next, 1))).isTrue();
        assertThat(store.update(1, next, stepSucceededEntries(next, 1))).isFalse();

        assertThat(counting.commits()).isEqualTo(3);
        assertThat(counting.statements()).isEqualTo(3);
    }

    @Test
    void the_store_names_its_group_commit_settings() {
        JdbcSagaStore store = store(database.pooled(), Duration.ofMillis(2));

        assertThat(store.toString()).contains("group commit (max batch 16, max wait 2000 µs, batches in flight 1)");
    }

    private static SagaInstance withKey(SagaInstance i, String key) {
        return new SagaInstance(i.id(), i.sagaName(), i.sagaVersion(), i.fingerprint(), key, i.status(), i.data(),
                i.steps(), i.createdAt(), i.updatedAt(), i.deadline(), i.owner(), i.leaseUntil(), i.version(),
                i.error());
    }

    /** Connections whose batch statements fail as if the connection broke mid-way, while {@code broken} is set. */
    private static DataSource breakingBatches(DataSource target, AtomicBoolean broken) {
        return (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class},
                (proxy, method, args) -> {
                    Object result = method.invoke(target, args);
                    if (!(result instanceof Connection connection)) {
                        return result;
                    }
                    return Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                            (p, m, a) -> {
                                if (broken.get() && m.getName().equals("prepareStatement")
                                        && ((String) a[0]).contains("unnest")) {
                                    PreparedStatement real = (PreparedStatement) m.invoke(connection, a);
                                    return Proxy.newProxyInstance(PreparedStatement.class.getClassLoader(),
                                            new Class<?>[] {PreparedStatement.class}, (sp, sm, sa) -> {
                                                if (sm.getName().startsWith("execute")) {
                                                    throw new SQLException("connection reset", "08006");
                                                }
                                                return sm.invoke(real, sa);
                                            });
                                }
                                try {
                                    return m.invoke(connection, a);
                                } catch (java.lang.reflect.InvocationTargetException e) {
                                    throw e.getCause();
                                }
                            });
                });
    }
}
