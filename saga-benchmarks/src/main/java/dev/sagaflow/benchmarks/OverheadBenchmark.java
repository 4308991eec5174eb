package dev.sagaflow.benchmarks;

import com.zaxxer.hikari.HikariDataSource;
import dev.sagaflow.Saga;
import dev.sagaflow.SagaDefinition;
import dev.sagaflow.SagaEventType;
import dev.sagaflow.SagaOrchestrator;
import dev.sagaflow.SagaOutcome;
import dev.sagaflow.SagaReply;
import dev.sagaflow.SagaStatus;
import dev.sagaflow.jdbc.JdbcSagaStore;
import dev.sagaflow.jdbc.support.CountingDataSource;
import dev.sagaflow.messaging.OutboxRelay;
import dev.sagaflow.micrometer.SagaflowMetrics;
import dev.sagaflow.store.OutboxMessage;
import dev.sagaflow.store.SagaStore;
import dev.sagaflow.store.memory.InMemorySagaStore;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * Two overheads, each beside its baseline in the same run, their windows alternating (A B A B, see {@link Harness}):
 *
 * <ul>
 *   <li><b>micrometer</b> (issue 13): the create-order saga through an orchestrator bound to {@link SagaflowMetrics}
 *       (a {@link SimpleMeterRegistry}; store instrumented, listener and attempt observer bound) against the same
 *       orchestrator without it, in memory (live objects) and on PostgreSQL.</li>
 *   <li><b>outbox</b> (issue 14): on PostgreSQL, the saga with {@code reserve-credit} as a plain local call, as a
 *       command sent through the outbox (step done once the command is recorded), and as a command whose reply is
 *       awaited. Each configuration has tables of its own and an {@link OutboxRelay} whose sender takes each
 *       message at once and (awaiting configuration) has a pool of participant threads deliver the success reply
 *       with {@link SagaOrchestrator#reply}; a listener wakes the relay on the step's event, so no configuration
 *       waits for the relay's poll. The relay's statements are counted on a data source of its own and reported
 *       per message.</li>
 * </ul>
 *
 * <pre>java -cp saga-benchmarks/target/saga-benchmarks.jar dev.sagaflow.benchmarks.OverheadBenchmark
 *     [--parts micrometer,outbox] [--concurrency 1,16] [--warmup N] [--reps N] [--window-ms N] [--jit-warmup N]</pre>
 *
 * Tables: prefix {@value #PREFIX}, dropped at the end.
 */
public final class OverheadBenchmark {
    // Not under Database.PREFIX: a run of another benchmark that drops its sfb_ tables must not drop these mid-run.
    static final String PREFIX = "sfbovh_";
    private static final String RELAY = "bench-relay";
    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final int PARTICIPANT_THREADS = 8;
    private static final String LOCAL = "pg-local-call";
    private static final String SEND = "pg-send";
    private static final String AWAIT = "pg-send-await";

    /** reserve-credit sends a command and succeeds once it is recorded (the participant is not heard from). */
    static final SagaDefinition<Order> SEND_ONLY = Saga.define("create-order-send", Order.class)
            .step("reserve-credit")
                .send("credit", (order, context) -> Map.of("orderId", order.id, "amount", order.amount))
                .compensation((order, context) -> Handlers.releaseCredit(order))
            .step("reserve-inventory")
                .action((order, context) -> Handlers.reserveInventory(order))
                .compensation((order, context) -> Handlers.releaseInventory(order))
            .step("approve-order")
                .action((order, context) -> Handlers.approve(order))
                .compensation((order, context) -> Handlers.unapprove(order))
            .build();

    /** reserve-credit sends a command and waits for the participant's reply, whose merge reserves the credit. */
    static final SagaDefinition<Order> SEND_AWAIT = Saga.define("create-order-await", Order.class)
            .step("reserve-credit")
                .send("credit", (order, context) -> Map.of("orderId", order.id, "amount", order.amount))
                .awaitReply(Object.class, (order, reply) -> Handlers.reserveCredit(order))
                .compensation((order, context) -> Handlers.releaseCredit(order))
                .timeout(Duration.ofSeconds(20))
            .step("reserve-inventory")
                .action((order, context) -> Handlers.reserveInventory(order))
                .compensation((order, context) -> Handlers.releaseInventory(order))
            .step("approve-order")
                .action((order, context) -> Handlers.approve(order))
                .compensation((order, context) -> Handlers.unapprove(order))
            .build();

    private OverheadBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        List<String> parts = List.of("micrometer", "outbox");
        int[] concurrency = {1, 16};
        int warmup = 1;
        int reps = 5;
        long windowMillis = 1000;
        long jitWarmup = 4000;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--parts" -> parts = Arrays.asList(args[++i].split(","));
                case "--concurrency" -> concurrency = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt)
                        .toArray();
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--reps" -> reps = Integer.parseInt(args[++i]);
                case "--window-ms" -> windowMillis = Long.parseLong(args[++i]);
                case "--jit-warmup" -> jitWarmup = Long.parseLong(args[++i]);
                default -> {
                    System.err.println("usage: OverheadBenchmark [--parts micrometer,outbox] [--concurrency 1,16]"
                            + " [--warmup N] [--reps N] [--window-ms N] [--jit-warmup MS]");
                    System.exit(2);
                }
            }
        }
        Harness.Settings settings = new Harness.Settings(warmup, reps, windowMillis);
        System.out.printf("Overheads, %d cores, %s %s; %d warm-up + %d measured windows of %d ms, medians%n%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name"),
                System.getProperty("java.version"), warmup, reps, windowMillis);
        String pgProblem = Database.POSTGRESQL.problem();
        if (pgProblem != null) {
            System.out.println("PostgreSQL skipped: " + pgProblem);
        }
        try {
            if (parts.contains("micrometer")) {
                micrometer(settings, concurrency, jitWarmup, pgProblem == null);
            }
            if (parts.contains("outbox") && pgProblem == null) {
                outbox(settings, concurrency, jitWarmup);
            }
        } finally {
            if (pgProblem == null) {
                for (String prefix : List.of(PREFIX, prefix(LOCAL), prefix(SEND), prefix(AWAIT))) {
                    for (String table : List.of("history", "replies", "outbox", "nodes", "instances")) {
                        Database.POSTGRESQL.drop(prefix + table);
                    }
                }
            }
        }
    }

    // ---------------------------------------------------------------- issue 13: Micrometer

    private static void micrometer(Harness.Settings settings, int[] concurrency, long jitWarmup, boolean pg)
            throws Exception {
        System.out.println("### Micrometer (SagaflowMetrics bound, SimpleMeterRegistry) vs the same orchestrator"
                + " without it");
        System.out.println();
        header();
        List<List<Workload>> groups = new ArrayList<>();
        groups.add(List.of(Metered.inMemory(false), Metered.inMemory(true)));
        if (pg) {
            groups.add(List.of(Metered.postgres(false), Metered.postgres(true)));
        }
        for (List<Workload> group : groups) {
            try {
                warmUp(group, jitWarmup, true);
                for (boolean fail : new boolean[] {false, true}) {
                    for (int callers : concurrency) {
                        print(Harness.run(group, fail, callers, settings, null));
                    }
                }
                for (Workload workload : group) {
                    ((Metered) workload).checkMeters();
                }
            } finally {
                for (Workload workload : group) {
                    workload.close();
                }
            }
        }
        System.out.println();
    }

    /** The create-order saga with or without {@link SagaflowMetrics}. */
    private static final class Metered implements Workload {
        private final String name;
        private final Database database;
        private final HikariDataSource pool;
        private final CountingDataSource counting;
        private final SimpleMeterRegistry registry;
        private final SagaOrchestrator orchestrator;
        private final LongAdder ran = new LongAdder();

        private Metered(String name, Database database, SagaStore store, HikariDataSource pool,
                CountingDataSource counting, boolean metrics) {
            this.name = name + (metrics ? "+micrometer" : "");
            this.database = database;
            this.pool = pool;
            this.counting = counting;
            SagaOrchestrator.Builder builder;
            if (metrics) {
                registry = new SimpleMeterRegistry();
                SagaflowMetrics sagaflowMetrics = SagaflowMetrics.create(registry);
                builder = sagaflowMetrics.bindTo(SagaOrchestrator.builder(sagaflowMetrics.instrument(store)));
            } else {
                registry = null;
                builder = SagaOrchestrator.builder(store);
            }
            // As SagaflowWorkload: lease renewal and the poll stay out of the windows.
            this.orchestrator = builder.register(SagaflowWorkload.CREATE_ORDER).leaseDuration(Duration.ofMinutes(30))
                    .pollInterval(Duration.ofMinutes(10)).build();
        }

        static Metered inMemory(boolean metrics) {
            return new Metered("mem-live", null, InMemorySagaStore.builder().serialization(false)
                    .retainFinished(SagaflowWorkload.RETAINED).build(), null, null, metrics);
        }

        static Metered postgres(boolean metrics) {
            String name = "pg";
            HikariDataSource pool = Database.POSTGRESQL.pool(name + (metrics ? "-metered" : ""), 17);
            CountingDataSource counting = new CountingDataSource(pool);
            JdbcSagaStore store = JdbcSagaStore.builder(counting).tablePrefix(PREFIX).createSchemaIfMissing(true)
                    .build();
            return new Metered(name, Database.POSTGRESQL, store, pool, counting, metrics);
        }

        /** Throws unless the registry timed every saga this orchestrator ran (so the module did its work). */
        void checkMeters() {
            if (registry == null) {
                return;
            }
            long timed = registry.find(SagaflowMetrics.SAGA_EXECUTION).timers().stream().mapToLong(Timer::count)
                    .sum();
            if (timed != ran.sum()) {
                throw new IllegalStateException(name + ": " + timed + " sagas timed, " + ran.sum() + " run");
            }
            System.out.printf("(%s: %,d sagas run, %,d timed by %s, %d meters)%n", name, ran.sum(), timed,
                    SagaflowMetrics.SAGA_EXECUTION, registry.getMeters().size());
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
                SagaOutcome<Order> outcome = orchestrator.run(SagaflowWorkload.CREATE_ORDER, order);
                ran.increment();
                check(outcome, fail);
                outcome.data().verify(fail);
            };
        }

        @Override
        public void close() {
            orchestrator.close();
            if (pool != null) {
                pool.close();
            }
        }
    }

    // ---------------------------------------------------------------- issue 14: the outbox

    private static void outbox(Harness.Settings settings, int[] concurrency, long jitWarmup) throws Exception {
        System.out.println("### Outbox on PostgreSQL: reserve-credit as a local call, a command sent, a command"
                + " sent and its reply awaited (HAPPY)");
        System.out.println();
        header();
        List<Workload> group = new ArrayList<>();
        List<Relayed> relayed = new ArrayList<>();
        try {
            group.add(new Relayed(LOCAL, null));
            group.add(new Relayed(SEND, SEND_ONLY));
            group.add(new Relayed(AWAIT, SEND_AWAIT));
            group.forEach(w -> relayed.add((Relayed) w));
            warmUp(group, jitWarmup, false);
            relayed.forEach(Relayed::resetRelayCounts);
            for (int callers : concurrency) {
                print(Harness.run(group, false, callers, settings, null));
            }
            System.out.println();
            System.out.println("OutboxRelay (its own data source; all windows after the JIT warm-up, warm-up windows"
                    + " and its idle polls while the other configurations ran included):");
            System.out.println();
            System.out.println("| configuration | messages | statements | commits | statements/message"
                    + " | commits/message |");
            System.out.println("|---|---:|---:|---:|---:|---:|");
            for (Relayed workload : relayed) {
                workload.printRelay();
            }
        } finally {
            for (Workload workload : group) {
                workload.close();
            }
        }
        System.out.println();
    }

    /**
     * The create-order saga on PostgreSQL, {@code definition} null for the plain one, with a relay thread that claims
     * the outbox, marks messages sent and, for an awaiting step, delivers the success reply.
     */
    private static final class Relayed implements Workload {
        private final String name;
        private final SagaDefinition<Order> definition;
        private final HikariDataSource pool;
        private final CountingDataSource counting;
        private final CountingDataSource relayCounting;
        private final JdbcSagaStore relayStore;
        private final SagaOrchestrator orchestrator;
        private final OutboxRelay relay;
        private final AtomicReference<Throwable> relayFailure = new AtomicReference<>();
        private final AtomicLong messages = new AtomicLong();
        // The participant's consumer threads: replies are written concurrently, as a broker's consumers would.
        private final ExecutorService participant = Executors.newFixedThreadPool(PARTICIPANT_THREADS);
        private long statements0;
        private long commits0;

        Relayed(String name, SagaDefinition<Order> definition) {
            this.name = name;
            this.definition = definition == null ? SagaflowWorkload.CREATE_ORDER : definition;
            this.pool = Database.POSTGRESQL.pool(name, 18);
            this.counting = new CountingDataSource(pool);
            this.relayCounting = new CountingDataSource(pool);
            // Tables of its own: a relay must see only its configuration's outbox.
            String prefix = prefix(name);
            JdbcSagaStore store = JdbcSagaStore.builder(counting).tablePrefix(prefix).createSchemaIfMissing(true)
                    .build();
            this.relayStore = JdbcSagaStore.builder(relayCounting).tablePrefix(prefix).build();
            this.relay = OutboxRelay.builder(relayStore, this::deliver).relayId(RELAY).lease(LEASE).build();
            SagaEventType wakeOn = this.definition == SEND_AWAIT ? SagaEventType.STEP_AWAITING_REPLY
                    : SagaEventType.STEP_SUCCEEDED;
            // Every configuration has the same listener: it wakes the relay once the command is recorded, so that
            // no saga waits for the relay's poll interval.
            this.orchestrator = SagaOrchestrator.builder(store).register(this.definition)
                    .listener(event -> {
                        if (event.type() == wakeOn && "reserve-credit".equals(event.step())) {
                            relay.wakeUp();
                        }
                    })
                    .leaseDuration(Duration.ofMinutes(30)).pollInterval(Duration.ofMinutes(10)).build();
            if (definition != null) {
                relay.start();
            }
        }

        /**
         * The broker and the participant in one: takes the message at once and, for the awaiting step, answers
         * with a success reply on the orchestrator (whose store write is the saga's, counted as the saga's).
         */
        private void deliver(OutboxMessage message) {
            messages.incrementAndGet();
            if (definition == SEND_AWAIT) {
                participant.execute(() -> {
                    try {
                        orchestrator.reply(SagaReply.successForCorrelationId(
                                message.headers().get(OutboxMessage.CORRELATION_ID_HEADER), Map.of("ok", true)));
                    } catch (RuntimeException e) {
                        relayFailure.compareAndSet(null, e);
                    }
                });
            }
        }

        void resetRelayCounts() {
            messages.set(0);
            statements0 = relayCounting.statements();
            commits0 = relayCounting.commits();
        }

        void printRelay() {
            long statements = relayCounting.statements() - statements0;
            long commits = relayCounting.commits() - commits0;
            long sent = messages.get();
            System.out.printf("| %s | %,d | %,d | %,d | %s | %s |%n", name, sent, statements, commits,
                    sent == 0 ? "-" : String.format("%.2f", (double) statements / sent),
                    sent == 0 ? "-" : String.format("%.2f", (double) commits / sent));
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public Database database() {
            return Database.POSTGRESQL;
        }

        @Override
        public long commits() {
            return counting.commits();
        }

        @Override
        public long statements() {
            return counting.statements();
        }

        @Override
        public Caller caller(int index) {
            return (order, fail) -> {
                SagaOutcome<Order> outcome = orchestrator.run(definition, order);
                if (relayFailure.get() != null) {
                    throw new IllegalStateException("relay failed", relayFailure.get());
                }
                check(outcome, fail);
                if (definition == SEND_ONLY) {
                    // Nobody confirms the command: check the rest, and count the reservation the participant makes.
                    Order data = outcome.data();
                    if (data.trail != 23 || data.stockReserved != data.quantity || !data.approved) {
                        throw new IllegalStateException("order " + data.id + " ended wrong: trail " + data.trail);
                    }
                    Ledger.of(data.caller).creditReserved++;
                } else {
                    outcome.data().verify(fail);
                }
            };
        }

        @Override
        public void close() {
            relay.close();
            participant.shutdown();
            orchestrator.close();
            pool.close();
        }
    }

    // ---------------------------------------------------------------- shared

    /** The table prefix of an outbox configuration, such as {@code sfb_ovh_pg_send_}. */
    private static String prefix(String configuration) {
        return PREFIX + configuration.replace('-', '_') + "_";
    }

    private static void check(SagaOutcome<Order> outcome, boolean fail) {
        SagaStatus expected = fail ? SagaStatus.COMPENSATED : SagaStatus.COMPLETED;
        if (outcome.status() != expected) {
            throw new IllegalStateException("saga " + outcome.sagaId() + " ended " + outcome.status() + ", expected "
                    + expected + ": " + outcome.error());
        }
    }

    /** Runs each workload, unmeasured, for about {@code millis} at 16 callers so the JIT has compiled it. */
    private static void warmUp(List<Workload> group, long millis, boolean bothModes) throws Exception {
        for (Workload workload : group) {
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
            long batch = workload.database() == null ? 50_000 : 400;
            while (System.nanoTime() < end) {
                Harness.runCount(workload, 16, batch, bothModes ? null : Boolean.FALSE);
                workload.betweenWindows();
            }
        }
    }

    private static void header() {
        System.out.println("| configuration | mode | callers | sagas/s (median) | min | max | JVM CPU µs/saga"
                + " | DB CPU µs/saga | alloc B/saga (callers) | commits/saga | statements/saga |");
        System.out.println("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    }

    private static void print(List<Harness.Cell> cells) {
        for (Harness.Cell cell : cells) {
            double[] rates = cell.rates().clone();
            Arrays.sort(rates);
            System.out.printf("| %s | %s | %d | %,.0f | %,.0f | %,.0f | %.1f | %s | %,.0f | %s | %s |%n",
                    cell.workload(), cell.fail() ? "FAIL" : "HAPPY", cell.callers(), cell.medianRate(), rates[0],
                    rates[rates.length - 1], cell.jvmCpuMicrosPerSaga(), fmt(cell.databaseCpuMicrosPerSaga(), "%.1f"),
                    cell.allocatedBytesPerSaga(), fmt(cell.commitsPerSaga(), "%.2f"),
                    fmt(cell.statementsPerSaga(), "%.2f"));
        }
    }

    private static String fmt(double value, String format) {
        return Double.isNaN(value) ? "-" : String.format(format, value);
    }
}
