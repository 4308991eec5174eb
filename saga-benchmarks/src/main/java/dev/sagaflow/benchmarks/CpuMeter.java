package dev.sagaflow.benchmarks;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.Map;

/**
 * CPU time used so far by this JVM and by the local database server's processes ({@code postgres},
 * {@code mariadbd}, read from {@code /proc}), so that a cell can say where each saga's CPU went. The database
 * figure is missing where {@code /proc} cannot be read (not Linux, or the server runs elsewhere); it counts every
 * process of the server, so other clients of the same server add to it.
 */
final class CpuMeter {
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private static final Path PROC = Paths.get("/proc");
    private static final long CLOCK_TICK_NANOS = 10_000_000L; // USER_HZ is 100 on Linux

    private CpuMeter() {
    }

    /** Nanoseconds of CPU used by this process. */
    static long jvm() {
        return OS.getProcessCpuTime();
    }

    /**
     * Nanoseconds of CPU used between two snapshots by the processes of the local server: per process, so that
     * a process that ended in between does not make the sum go down; one that started counts in full. -1 when
     * either snapshot is missing.
     */
    static long between(Map<Integer, Long> before, Map<Integer, Long> after) {
        if (before == null || after == null) {
            return -1;
        }
        long sum = 0;
        for (Map.Entry<Integer, Long> process : after.entrySet()) {
            sum += Math.max(0, process.getValue() - before.getOrDefault(process.getKey(), 0L));
        }
        return sum;
    }

    /** Nanoseconds of CPU used so far by each live process of {@code database}'s local server, or null. */
    static Map<Integer, Long> database(Database database) {
        if (database == null || !Files.isDirectory(PROC)) {
            return null;
        }
        Map<Integer, Long> processes = new HashMap<>();
        String name = database == Database.POSTGRESQL ? "postgres" : "mariadbd";
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(PROC, "[0-9]*")) {
            for (Path process : entries) {
                try {
                    String stat = Files.readString(process.resolve("stat"));
                    int open = stat.indexOf('(');
                    int close = stat.lastIndexOf(')');
                    if (open < 0 || close < 0 || !stat.substring(open + 1, close).equals(name)) {
                        continue;
                    }
                    String[] fields = stat.substring(close + 2).split(" ");
                    // After the name: state is field 3 of stat; utime and stime are 14 and 15.
                    long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
                    processes.put(Integer.valueOf(process.getFileName().toString()), ticks * CLOCK_TICK_NANOS);
                } catch (IOException | RuntimeException e) {
                    // the process ended meanwhile
                }
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return processes.isEmpty() ? null : processes;
    }
}
