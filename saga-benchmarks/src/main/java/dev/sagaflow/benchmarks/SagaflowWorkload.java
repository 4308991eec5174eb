package dev.sagaflow.benchmarks;

import dev.sagaflow.Saga;
import dev.sagaflow.SagaDefinition;
import dev.sagaflow.SagaOrchestrator;
import dev.sagaflow.SagaOutcome;
import dev.sagaflow.SagaStatus;
import dev.sagaflow.jdbc.JdbcSagaStore;
import dev.sagaflow.jdbc.support.CountingDataSource;
import dev.sagaflow.store.SagaStore;
import dev.sagaflow.store.memory.InMemorySagaStore;
import java.time.Duration;
import javax.sql.DataSource;

/**
 * Sagaflow running the create-order saga through {@link SagaOrchestrator#run}, which runs synchronous steps on
 * the calling thread: in memory (with and without the store's JSON round-trip) or on a JDBC store.
 */
final class SagaflowWorkload implements Workload {
    static final SagaDefinition<Order> CREATE_ORDER = Saga.define("create-order", Order.class)
            .step("reserve-credit")
                .action((order, context) -> Handlers.reserveCredit(order))
                .compensation((order, context) -> Handlers.releaseCredit(order))
            .step("reserve-inventory")
                .action((order, context) -> Handlers.reserveInventory(order))
                .compensation((order, context) -> Handlers.releaseInventory(order))
            .step("approve-order")
                .action((order, context) -> Handlers.approve(order))
                .compensation((order, context) -> Handlers.unapprove(order))
            .build();

    /** Finished sagas an in-memory store keeps. */
    static final int RETAINED = 10_000;

    private final String name;
    private final Database database;
    private final SagaStore store;
    private final CountingDataSource counting;
    private final SagaOrchestrator orchestrator;

    private SagaflowWorkload(String name, Database database, SagaStore store, CountingDataSource counting) {
        this.name = name;
        this.database = database;
        this.store = store;
        this.counting = counting;
        // Lease renewal and the recovery poll cost one statement per interval, not per saga; long intervals keep
        // them out of the windows so that the writes counted per saga are the sagas' own.
        this.orchestrator = SagaOrchestrator.builder(store).register(CREATE_ORDER)
                .leaseDuration(Duration.ofMinutes(30)).pollInterval(Duration.ofMinutes(10)).build();
    }

    /**
     * In memory; {@code roundTrip}: data round-tripped through JSON on every write (as
     * {@link InMemorySagaStore#create()}), else live objects (as {@link InMemorySagaStore#withoutSerialization()}).
     * The store keeps the last
     * {@value #RETAINED} finished sagas, as a long-running host would configure it: keeping every saga would make
     * the heap, and the garbage collector's work, grow with the length of the run.
     */
    static SagaflowWorkload inMemory(boolean roundTrip) {
        return new SagaflowWorkload(roundTrip ? "sagaflow-mem-json" : "sagaflow-mem-live", null,
                InMemorySagaStore.builder().serialization(roundTrip).retainFinished(RETAINED).build(), null);
    }

    /**
     * On a JDBC store in tables of the benchmark's own, with group commit and that many batches in flight unless
     * {@code batchesInFlight} is 0, over {@code pool}, which the
     * configurations of one database share (they take turns, so each has the whole pool while it runs).
     */
    static SagaflowWorkload jdbc(Database database, DataSource pool, int batchesInFlight) {
        String name = "sagaflow-" + (database == Database.POSTGRESQL ? "pg" : "mariadb")
                + (batchesInFlight == 0 ? "" : batchesInFlight == 1 ? "-gc" : "-gc" + batchesInFlight);
        CountingDataSource counting = new CountingDataSource(pool);
        JdbcSagaStore.Builder builder = JdbcSagaStore.builder(counting).tablePrefix(Database.PREFIX)
                .createSchemaIfMissing(true);
        if (batchesInFlight == 1) {
            builder.groupCommit(true);
        } else if (batchesInFlight > 1) {
            builder.groupCommit(true).groupCommitMaxBatchesInFlight(batchesInFlight);
        }
        JdbcSagaStore store = builder.build();
        truncate(database);
        return new SagaflowWorkload(name, database, store, counting);
    }

    static void truncate(Database database) {
        database.truncate(Database.PREFIX + "instances");
        database.truncate(Database.PREFIX + "history");
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Database database() {
        return database;
    }

    @Override
    public long commits() {
        return counting == null ? -1 : counting.commits();
    }

    @Override
    public long statements() {
        return counting == null ? -1 : counting.statements();
    }

    @Override
    public Caller caller(int index) {
        return (order, fail) -> {
            SagaOutcome<Order> outcome = orchestrator.run(CREATE_ORDER, order);
            SagaStatus expected = fail ? SagaStatus.COMPENSATED : SagaStatus.COMPLETED;
            if (outcome.status() != expected) {
                throw new IllegalStateException("saga " + outcome.sagaId() + " ended " + outcome.status()
                        + ", expected " + expected + ": " + outcome.error());
            }
            outcome.data().verify(fail);
        };
    }

    @Override
    public void close() {
        orchestrator.close();
        if (database != null) {
            truncate(database);
        }
    }

    @Override
    public String toString() {
        return name + " on " + store;
    }
}
