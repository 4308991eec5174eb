package dev.sagaflow.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs cells: a group of workloads, HAPPY or FAIL, a number of callers. Each caller thread runs one saga at a
 * time and waits for it, until its window ends. The workloads of a group take turns window by window (A B C A B C
 * ...), so that a slow phase of the machine (a disk flush, a noisy neighbour) hits them all alike; the first
 * windows warm up, the others are measured, and a cell's figure is the median of its measured windows. Between
 * windows no saga runs, and the workload may drop what piled up. Every saga's outcome is checked by its caller,
 * and every caller's counters after every window.
 */
final class Harness {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

    /** How long and how often to measure. */
    record Settings(int warmupWindows, int measuredWindows, long windowMillis) {
    }

    /** What one cell measured: medians over the measured windows, totals over them for the per-saga figures. */
    record Cell(String workload, boolean fail, int callers, double medianRate, double[] rates, long sagas,
            long allSagas, double commitsPerSaga, double statementsPerSaga, double allocatedBytesPerSaga,
            double serverWritesPerSaga, double walBytesPerSaga, double jvmCpuMicrosPerSaga,
            double databaseCpuMicrosPerSaga) {
    }

    private Harness() {
    }

    /** Runs one cell for each workload of {@code group}, their windows interleaved. */
    static List<Cell> run(List<Workload> group, boolean fail, int callers, Settings settings, PostgresCounter server)
            throws Exception {
        int windows = settings.warmupWindows() + settings.measuredWindows();
        List<CellRun> runs = new ArrayList<>();
        try {
            for (Workload workload : group) {
                // Each workload's callers have ledgers of their own.
                runs.add(new CellRun(workload, fail, callers, windows, runs.size() * callers));
            }
            for (int w = 0; w < windows; w++) {
                for (CellRun run : runs) {
                    run.window(settings.windowMillis(), w >= settings.warmupWindows(), server);
                }
            }
        } finally {
            for (CellRun run : runs) {
                run.stop();
            }
        }
        List<Cell> cells = new ArrayList<>();
        for (CellRun run : runs) {
            cells.add(run.result());
        }
        return cells;
    }

    /** One workload's caller threads for one cell. */
    private static final class CellRun {
        private final Workload workload;
        private final boolean fail;
        private final int callers;
        private final int windows;
        private final CyclicBarrier start;
        private final CyclicBarrier end;
        private final long[] counts;
        private final long[] allocations;
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private final Thread[] threads;
        private final int base;
        private volatile boolean stop;
        private volatile boolean abandoned;
        private final List<Double> rates = new ArrayList<>();
        private long sagas;
        private long allSagas;
        private long commits;
        private long statements;
        private long allocated;
        private long jvmCpu;
        private long databaseCpu;
        private long serverWrites = -1;
        private long walBytes = -1;

        CellRun(Workload workload, boolean fail, int callers, int windows, int base) {
            this.workload = workload;
            this.base = base;
            this.fail = fail;
            this.callers = callers;
            this.windows = windows;
            this.start = new CyclicBarrier(callers + 1);
            this.end = new CyclicBarrier(callers + 1);
            this.counts = new long[callers * 16];
            this.allocations = new long[callers * 16];
            this.threads = new Thread[callers];
            for (int i = 0; i < callers; i++) {
                Ledger.of(base + i).reset();
            }
            for (int i = 0; i < callers; i++) {
                int slot = i;
                threads[i] = new Thread(() -> callerLoop(slot), "sfb-" + workload.name() + "-" + i);
                threads[i].setDaemon(true);
                threads[i].start();
            }
        }

        void window(long millis, boolean measured, PostgresCounter server) throws Exception {
            if (failure.get() != null) {
                throw failed();
            }
            stop = false;
            long commits0 = workload.commits();
            long statements0 = workload.statements();
            long[] server0 = server == null ? null : server.read();
            long jvmCpu0 = CpuMeter.jvm();
            java.util.Map<Integer, Long> databaseCpu0 = CpuMeter.database(workload.database());
            long t0 = System.nanoTime();
            start.await(1, TimeUnit.MINUTES);
            long deadline = t0 + TimeUnit.MILLISECONDS.toNanos(millis);
            long left;
            while ((left = deadline - System.nanoTime()) > 0 && failure.get() == null) {
                TimeUnit.NANOSECONDS.sleep(Math.min(left, TimeUnit.MILLISECONDS.toNanos(20)));
            }
            stop = true;
            end.await(5, TimeUnit.MINUTES);
            long elapsed = System.nanoTime() - t0;
            long jvmCpu1 = CpuMeter.jvm();
            java.util.Map<Integer, Long> databaseCpu1 = CpuMeter.database(workload.database());
            if (failure.get() != null) {
                throw failed();
            }
            long windowSagas = 0;
            long windowAllocated = 0;
            for (int i = 0; i < callers; i++) {
                windowSagas += counts[i * 16];
                windowAllocated += allocations[i * 16];
            }
            allSagas += windowSagas;
            if (measured) {
                rates.add(windowSagas * 1e9 / elapsed);
                sagas += windowSagas;
                commits += workload.commits() - commits0;
                statements += workload.statements() - statements0;
                allocated += windowAllocated;
                jvmCpu += jvmCpu1 - jvmCpu0;
                long used = CpuMeter.between(databaseCpu0, databaseCpu1);
                databaseCpu = used < 0 || databaseCpu < 0 ? -1 : databaseCpu + used;
                if (server0 != null) {
                    long[] server1 = server.read();
                    serverWrites = Math.max(serverWrites, 0) + server1[0] - server0[0];
                    walBytes = Math.max(walBytes, 0) + server1[1] - server0[1];
                }
            }
            workload.betweenWindows();
        }

        private void callerLoop(int slot) {
            int caller = base + slot;
            Ledger ledger = Ledger.of(caller);
            long total = 0;
            long nextId = (long) caller << 40;
            try (Workload.Caller handle = workload.caller(caller)) {
                for (int w = 0; w < windows; w++) {
                    start.await();
                    if (abandoned) {
                        return;
                    }
                    long allocated0 = THREADS.getCurrentThreadAllocatedBytes();
                    long n = 0;
                    try {
                        while (!stop && failure.get() == null) {
                            handle.runSaga(Order.of(caller, nextId++, fail), fail);
                            n++;
                        }
                        total += n;
                        handle.windowEnded();
                        ledger.verify(total, fail, caller);
                    } catch (Throwable t) {
                        failure.compareAndSet(null, t);
                    }
                    allocations[slot * 16] = THREADS.getCurrentThreadAllocatedBytes() - allocated0;
                    counts[slot * 16] = n;
                    end.await();
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
                // Let the main thread's barriers trip rather than wait for this caller forever.
                start.reset();
                end.reset();
            }
        }

        /** Ends the caller threads (at once if windows are left, after a failure). */
        void stop() throws InterruptedException {
            abandoned = true;
            start.reset();
            for (Thread thread : threads) {
                thread.join(TimeUnit.SECONDS.toMillis(30));
            }
        }

        Cell result() {
            if (failure.get() != null) {
                throw failed();
            }
            double[] measured = rates.stream().mapToDouble(Double::doubleValue).toArray();
            return new Cell(workload.name(), fail, callers, median(measured), measured, sagas, allSagas,
                    workload.commits() < 0 ? Double.NaN : (double) commits / sagas,
                    workload.statements() < 0 ? Double.NaN : (double) statements / sagas,
                    (double) allocated / sagas, serverWrites < 0 ? Double.NaN : (double) serverWrites / sagas,
                    walBytes < 0 ? Double.NaN : (double) walBytes / sagas, jvmCpu / 1e3 / sagas,
                    workload.database() == null || databaseCpu < 0 ? Double.NaN : databaseCpu / 1e3 / sagas);
        }

        private IllegalStateException failed() {
            Throwable t = failure.get();
            return new IllegalStateException(workload.name() + " " + (fail ? "FAIL" : "HAPPY") + " c" + callers
                    + " did not verify: " + t, t);
        }
    }

    static double median(double[] values) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /**
     * Whether memory grows with the number of sagas run: heap in use after a full GC, measured after {@code first}
     * sagas and again after {@code factor} times as many more (an in-memory store keeps only its last finished sagas).
     *
     * @return the heap in use after the first and after the second batch, in bytes
     */
    static long[] memoryGrowth(Workload workload, int callers, long first, int factor) throws Exception {
        runCount(workload, callers, first, null);
        workload.betweenWindows();
        long before = heapAfterGc();
        runCount(workload, callers, first * factor, null);
        workload.betweenWindows();
        long after = heapAfterGc();
        return new long[] {before, after};
    }

    /**
     * Runs {@code total} sagas spread over {@code callers} threads: all HAPPY, all FAIL, or ({@code fail} null)
     * alternately.
     */
    static void runCount(Workload workload, int callers, long total, Boolean fail) throws Exception {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread[] threads = new Thread[callers];
        for (int i = 0; i < callers; i++) {
            int caller = i;
            long each = total / callers;
            threads[i] = new Thread(() -> {
                try (Workload.Caller handle = workload.caller(caller)) {
                    long id = ((long) caller << 40) | (1L << 39);
                    for (long n = 0; n < each && failure.get() == null; n++) {
                        boolean failing = fail != null ? fail : (n & 1) == 1;
                        handle.runSaga(Order.of(caller, id++, failing), failing);
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            }, "sfb-count-" + i);
            threads[i].start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        if (failure.get() != null) {
            throw new IllegalStateException(workload.name() + " did not verify: " + failure.get(), failure.get());
        }
    }

    static long heapAfterGc() throws InterruptedException {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(100);
            used = Math.min(used, MEMORY.getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
