package dev.sagaflow.benchmarks;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * CPU time used so far by this JVM and by the local database server's processes ({@code postgres},
 * {@code mariadbd}, read from {@code /proc}), so that a cell can say where each saga's CPU went. The database
 * figure is -1 where {@code /proc} cannot be read (not Linux, or the server runs elsewhere).
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

    /** Nanoseconds of CPU used by the live processes of {@code database}'s local server, or -1. */
    static long database(Database database) {
        if (database == null || !Files.isDirectory(PROC)) {
            return -1;
        }
        String name = database == Database.POSTGRESQL ? "postgres" : "mariadbd";
        long ticks = 0;
        boolean found = false;
        try (DirectoryStream<Path> processes = Files.newDirectoryStream(PROC, "[0-9]*")) {
            for (Path process : processes) {
                try {
                    String stat = Files.readString(process.resolve("stat"));
                    int open = stat.indexOf('(');
                    int close = stat.lastIndexOf(')');
                    if (open < 0 || close < 0 || !stat.substring(open + 1, close).equals(name)) {
                        continue;
                    }
                    String[] fields = stat.substring(close + 2).split(" ");
                    // After the name: state is field 3 of stat; utime and stime are 14 and 15.
                    ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
                    found = true;
                } catch (IOException | RuntimeException e) {
                    // the process ended meanwhile
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return found ? ticks * CLOCK_TICK_NANOS : -1;
    }
}
