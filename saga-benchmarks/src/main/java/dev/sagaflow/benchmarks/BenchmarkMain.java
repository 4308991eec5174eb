package dev.sagaflow.benchmarks;

import com.zaxxer.hikari.HikariDataSource;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import javax.sql.DataSource;

/**
 * Runs issue 5's create-order saga in every configuration and prints the table. See {@link #usage()}.
 */
public final class BenchmarkMain {
    /** Every configuration, in the order they run and print. */
    static final List<String> ALL = List.of("plain-java", "interpreter", "sagaflow-mem-json", "sagaflow-mem-live",
            "raw-jdbc-pg", "sagaflow-pg", "sagaflow-pg-gc", "raw-jdbc-mariadb", "sagaflow-mariadb");

    /**
     * Configurations run only when named: group commit with 4 batches in flight
     * ({@code groupCommitMaxBatchesInFlight(4)}), to see what the one-batch default costs over a network hop.
     */
    static final List<String> EXTRA = List.of("sagaflow-pg-gc4");

    /** Issue 5's reference figures for Apache Camel's Saga EIP in memory, sagas/s: HAPPY c1, HAPPY c16, FAIL c1, FAIL c16. */
    static final double[] CAMEL = {84_000, 145_000, 6_900, 41_000};

    private BenchmarkMain() {
    }

    static String usage() {
        return """
                usage: java -jar saga-benchmarks/target/saga-benchmarks.jar [options]
                  --configs LIST      comma-separated configurations or groups (default: all)
                                      groups: all, memory, pg, mariadb; configurations:
                                      %s; by name only: %s
                  --modes LIST        happy,fail (default both)
                  --concurrency LIST  caller threads per cell, each at most 200 (default 1,16); the configurations
                                      of one database share one pool of (most callers + 8) connections
                  --warmup N          warm-up windows per cell (default 2)
                  --jit-warmup-ms N   before its first cell, each configuration runs this long, both modes, at the
                                      highest concurrency, unmeasured, so the JIT has compiled its code (default 10000)
                  --reps N            measured windows per cell; the median is reported (default 5)
                  --window-ms N       length of one window in milliseconds (default 700)
                  --quick             --warmup 1 --reps 3 --window-ms 400 --jit-warmup-ms 3000
                  --long              --warmup 3 --reps 10 --window-ms 2000 --jit-warmup-ms 20000
                  --no-memory-check   skip the check that memory does not grow with the number of sagas
                  --keep-tables       leave the benchmark's tables (sfb_*) in place at the end
                environment: SAGAFLOW_PG_URL, SAGAFLOW_PG_USER, SAGAFLOW_PG_PASSWORD, SAGAFLOW_MARIADB_URL,
                  SAGAFLOW_MARIADB_USER, SAGAFLOW_MARIADB_PASSWORD (defaults: local servers, database 'test');
                  SAGAFLOW_NETWORK names the network in the report (netem.sh sets it)
                the databases one network hop away: saga-benchmarks/netem.sh run <rtt-ms> [options] (root);
                  loopback and 0.5 and 2 ms in one go: saga-benchmarks/run-all.sh [--runs N] [options]
                """.formatted(String.join(", ", ALL), String.join(", ", EXTRA));
    }

    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.print(usage());
            System.exit(2);
            return;
        }
        if (options.help) {
            System.out.print(usage());
            return;
        }
        new BenchmarkMain().run(options);
    }

    private final Map<String, Map<String, Harness.Cell>> cells = new LinkedHashMap<>();
    private final Map<String, double[]> pgTransactionsPerSaga = new LinkedHashMap<>();
    private final Map<String, String> memoryChecks = new LinkedHashMap<>();
    private final Map<String, String> skipped = new LinkedHashMap<>();
    private final Map<Database, String> roundTrips = new LinkedHashMap<>();

    private void run(Options options) throws Exception {
        Harness.Settings settings = new Harness.Settings(options.warmup, options.reps, options.windowMillis);
        int maxCallers = options.concurrency.stream().mapToInt(Integer::intValue).max().orElse(1);
        String started = LocalDateTime.now().format(DateTimeFormatter.ISO_LOCAL_DATE_TIME).substring(0, 19);
        System.out.printf("Sagaflow benchmark, %s, %d cores, %s %s, heap max %d MB%n", started,
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name"),
                System.getProperty("java.version"), Runtime.getRuntime().maxMemory() >> 20);
        System.out.printf("JIT warm-up: %d ms per configuration; windows: %d warm-up + %d measured x %d ms per cell;"
                + " modes %s; callers %s%n%n", options.jitWarmupMillis, options.warmup, options.reps,
                options.windowMillis, options.modes, options.concurrency);
        Map<Database, String> problems = new LinkedHashMap<>();
        Map<Database, List<String>> groups = new LinkedHashMap<>();
        for (String config : options.configs) {
            Database database = databaseOf(config);
            if (database != null && !problems.containsKey(database)) {
                problems.put(database, database.problem());
            }
            if (database != null && problems.get(database) != null) {
                skipped.put(config, database.displayName + " unreachable at " + database.url + ": "
                        + problems.get(database));
                System.out.printf("%-20s skipped: %s%n", config, skipped.get(config));
                continue;
            }
            if (database != null && !roundTrips.containsKey(database)) {
                roundTrips.put(database, String.format(Locale.ROOT, "%s at %s: SELECT 1 round trip %.3f ms (median of"
                        + " 200)", database.displayName, database.url, database.roundTripMillis()));
                System.out.println(roundTrips.get(database));
            }
            groups.computeIfAbsent(database, d -> new ArrayList<>()).add(config);
        }
        for (Map.Entry<Database, List<String>> group : groups.entrySet()) {
            runGroup(group.getKey(), group.getValue(), options, settings, maxCallers);
        }
        if (!options.keepTables) {
            for (Database database : problems.keySet()) {
                if (problems.get(database) == null) {
                    for (String table : List.of(RawJdbc.TABLE, Database.PREFIX + "history", Database.PREFIX + "instances")) {
                        database.drop(table);
                    }
                }
            }
        }
        System.out.println();
        System.out.println("Network: " + Report.network() + "; commit " + commit());
        for (String roundTrip : roundTrips.values()) {
            System.out.println("- " + roundTrip);
        }
        System.out.println();
        System.out.print(Report.render(options, cells, pgTransactionsPerSaga, memoryChecks, skipped));
    }

    /** The commit the jar was built from, if the working directory is the repository's; "?" otherwise. */
    private static String commit() {
        try {
            Process git = new ProcessBuilder("git", "rev-parse", "--short", "HEAD").redirectErrorStream(true).start();
            String out = new String(git.getInputStream().readAllBytes()).trim();
            return git.waitFor() == 0 ? out : "?";
        } catch (java.io.IOException | InterruptedException e) {
            return "?";
        }
    }

    /** Runs the configurations of one database (or those in memory), their windows interleaved. */
    private void runGroup(Database database, List<String> configs, Options options, Harness.Settings settings,
            int maxCallers) throws Exception {
        List<Workload> workloads = new ArrayList<>();
        PostgresCounter server = database == Database.POSTGRESQL ? new PostgresCounter() : null;
        // One pool per database, shared by its configurations: they take turns, and three pools of 64 and more
        // connections each would pass PostgreSQL's default limit of 100.
        HikariDataSource pool = database == null ? null : database.pool(database.name().toLowerCase(Locale.ROOT), maxCallers + 8);
        try {
            for (String config : configs) {
                workloads.add(open(config, database, pool));
                cells.put(config, new LinkedHashMap<>());
            }
            warmUpJit(workloads, options, maxCallers, server);
            for (String mode : options.modes) {
                for (int callers : options.concurrency) {
                    List<Harness.Cell> results = Harness.run(workloads, mode.equals("fail"), callers, settings,
                            server);
                    for (Harness.Cell cell : results) {
                        cells.get(cell.workload()).put(mode + callers, cell);
                        if (!Double.isNaN(cell.serverWritesPerSaga())) {
                            pgTransactionsPerSaga.computeIfAbsent(cell.workload(), k -> new double[] {Double.NaN, Double.NaN})
                                    [cell.fail() ? 1 : 0] = cell.serverWritesPerSaga();
                        }
                        System.out.printf(Locale.ROOT, "%-20s %-5s c%-3d %12s sagas/s  (windows %s)  CPU/saga: JVM %s%s%s%n",
                                cell.workload(), mode.toUpperCase(Locale.ROOT), callers, Report.rate(cell.medianRate()),
                                Report.rates(cell.rates()), Report.micros(cell.jvmCpuMicrosPerSaga()),
                                Double.isNaN(cell.databaseCpuMicrosPerSaga()) ? ""
                                        : ", database " + Report.micros(cell.databaseCpuMicrosPerSaga()),
                                Double.isNaN(cell.commitsPerSaga()) ? ""
                                        : String.format(Locale.ROOT, "  %.2f commits/saga", cell.commitsPerSaga())
                                        + (Double.isNaN(cell.serverWritesPerSaga()) ? "" : String.format(Locale.ROOT,
                                                ", PostgreSQL: %.2f write transactions, %.0f WAL bytes per saga",
                                                cell.serverWritesPerSaga(), cell.walBytesPerSaga())));
                    }
                }
            }
            if (options.memoryCheck) {
                for (Workload workload : workloads) {
                    if (workload instanceof SagaflowWorkload) {
                        checkMemory(workload, database, maxCallers);
                    }
                }
            }
        } finally {
            for (Workload workload : workloads) {
                workload.close();
            }
            if (server != null) {
                server.close();
            }
            if (pool != null) {
                pool.close();
            }
        }
    }

    private void checkMemory(Workload workload, Database database, int maxCallers) throws Exception {
        long first = database == null ? 20_000 : 200;
        long[] heap = Harness.memoryGrowth(workload, Math.min(4, maxCallers), first, 5);
        double perThousand = (heap[1] - heap[0]) / 1024.0 / (first * 5 / 1000.0);
        String verdict = String.format(Locale.ROOT,
                "heap after GC %.1f MB after %,d sagas, %.1f MB after %,d more (%+.2f KB per 1000 sagas): %s",
                heap[0] / 1048576.0, first, heap[1] / 1048576.0, first * 5, perThousand,
                heap[1] - heap[0] < 2 * 1048576 ? "no growth" : "GROWS");
        memoryChecks.put(workload.name(), verdict);
        System.out.printf("%-20s memory: %s%n", workload.name(), verdict);
    }

    static Workload open(String config, Database database, DataSource pool) throws Exception {
        Callable<Workload> factory = switch (config) {
            case "plain-java" -> PlainJava::new;
            case "interpreter" -> GenericInterpreter::new;
            case "sagaflow-mem-json" -> () -> SagaflowWorkload.inMemory(true);
            case "sagaflow-mem-live" -> () -> SagaflowWorkload.inMemory(false);
            case "raw-jdbc-pg", "raw-jdbc-mariadb" -> () -> new RawJdbc(database, pool);
            case "sagaflow-pg", "sagaflow-mariadb" -> () -> SagaflowWorkload.jdbc(database, pool, 0);
            case "sagaflow-pg-gc" -> () -> SagaflowWorkload.jdbc(database, pool, 1);
            case "sagaflow-pg-gc4" -> () -> SagaflowWorkload.jdbc(database, pool, 4);
            default -> throw new IllegalArgumentException("unknown configuration " + config);
        };
        return factory.call();
    }

    static Database databaseOf(String config) {
        if (config.endsWith("-pg") || config.contains("-pg-gc")) {
            return Database.POSTGRESQL;
        }
        if (config.endsWith("-mariadb")) {
            return Database.MARIADB;
        }
        return null;
    }

    /**
     * Runs every workload of a group, each mode in turn, unmeasured: a configuration that runs few sagas per second
     * (one on a database) would otherwise still be compiling its code, on the machine's cores, in its first cells.
     */
    private static void warmUpJit(List<Workload> workloads, Options options, int callers, PostgresCounter server)
            throws Exception {
        if (options.jitWarmupMillis == 0) {
            return;
        }
        long perMode = options.jitWarmupMillis / options.modes.size();
        int windows = (int) Math.max(1, perMode / options.windowMillis);
        for (String mode : options.modes) {
            Harness.run(workloads, mode.equals("fail"), callers, new Harness.Settings(windows, 0, options.windowMillis),
                    server);
        }
    }

    /** The command line. */
    static final class Options {
        final Set<String> configs = new LinkedHashSet<>();
        final List<String> modes = new ArrayList<>();
        final List<Integer> concurrency = new ArrayList<>();
        int warmup = 2;
        long jitWarmupMillis = 10_000;
        int reps = 5;
        long windowMillis = 700;
        boolean memoryCheck = true;
        boolean keepTables;
        boolean help;
        String commandLine;

        static Options parse(String[] args) {
            Options o = new Options();
            o.commandLine = String.join(" ", args);
            String configs = "all";
            String modes = "happy,fail";
            String concurrency = "1,16";
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                switch (arg) {
                    case "--configs" -> configs = value(args, ++i, arg);
                    case "--modes" -> modes = value(args, ++i, arg);
                    case "--concurrency" -> concurrency = value(args, ++i, arg);
                    case "--warmup" -> o.warmup = number(value(args, ++i, arg), arg, 0);
                    case "--jit-warmup-ms" -> o.jitWarmupMillis = number(value(args, ++i, arg), arg, 0);
                    case "--reps" -> o.reps = number(value(args, ++i, arg), arg, 1);
                    case "--window-ms" -> o.windowMillis = number(value(args, ++i, arg), arg, 10);
                    case "--quick" -> {
                        o.warmup = 1;
                        o.reps = 3;
                        o.windowMillis = 400;
                        o.jitWarmupMillis = 3_000;
                    }
                    case "--long" -> {
                        o.warmup = 3;
                        o.reps = 10;
                        o.windowMillis = 2000;
                        o.jitWarmupMillis = 20_000;
                    }
                    case "--no-memory-check" -> o.memoryCheck = false;
                    case "--keep-tables" -> o.keepTables = true;
                    case "-h", "--help" -> o.help = true;
                    default -> throw new IllegalArgumentException("unknown option " + arg);
                }
            }
            for (String name : configs.split(",")) {
                switch (name.trim()) {
                    case "all" -> o.configs.addAll(ALL);
                    case "memory" -> o.configs.addAll(ALL.subList(0, 4));
                    case "pg" -> o.configs.addAll(ALL.stream().filter(c -> databaseOf(c) == Database.POSTGRESQL).toList());
                    case "mariadb" -> o.configs.addAll(ALL.stream().filter(c -> databaseOf(c) == Database.MARIADB).toList());
                    default -> {
                        if (!ALL.contains(name.trim()) && !EXTRA.contains(name.trim())) {
                            throw new IllegalArgumentException("unknown configuration '" + name + "'");
                        }
                        o.configs.add(name.trim());
                    }
                }
            }
            for (String mode : modes.split(",")) {
                String m = mode.trim().toLowerCase(Locale.ROOT);
                if (!m.equals("happy") && !m.equals("fail")) {
                    throw new IllegalArgumentException("--modes takes happy and/or fail, not '" + mode + "'");
                }
                o.modes.add(m);
            }
            for (String c : concurrency.split(",")) {
                int callers = number(c.trim(), "--concurrency", 1);
                if (callers > 200) {
                    throw new IllegalArgumentException("--concurrency must be <= 200");
                }
                o.concurrency.add(callers);
            }
            return o;
        }

        private static String value(String[] args, int i, String option) {
            if (i >= args.length) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            return args[i];
        }

        private static int number(String text, String option, int min) {
            try {
                int n = Integer.parseInt(text);
                if (n < min) {
                    throw new IllegalArgumentException(option + " must be >= " + min + ", was " + n);
                }
                return n;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(option + " takes a number, not '" + text + "'");
            }
        }
    }
}
