package dev.sagaflow.jdbc.proofs;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A JVM started from the test's own java and class path, running a main class from the test
 * sources. Its standard output is read line by line; its standard error (its log) goes to a file
 * under {@code target/}, which failures quote.
 */
final class ChildProcess implements AutoCloseable {
    private final Process process;
    private final Path log;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> seen = new ArrayList<>();
    private final List<String> unclaimed = new ArrayList<>();

    private ChildProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // the process was killed
            }
        }, "child-stdout-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    static ChildProcess start(Class<?> mainClass, String logName, String... args) throws IOException {
        Path log = Path.of("target", "child-logs", logName + ".log");
        Files.createDirectories(log.getParent());
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("-Duser.timezone=" + System.getProperty("user.timezone", "UTC"));
        command.add(mainClass.getName());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectError(log.toFile()).start();
        return new ChildProcess(process, log);
    }

    /**
     * Returns the first line of output not returned yet that starts with {@code prefix}, waiting for
     * it if need be. Lines may come in any order: those skipped wait for a later call.
     *
     * @throws AssertionError if the process ends first, or nothing comes within {@code limit}
     */
    String await(String prefix, Duration limit) throws InterruptedException {
        for (String line : unclaimed) {
            if (line.startsWith(prefix)) {
                unclaimed.remove(line);
                return line;
            }
        }
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            String line = lines.poll(100, TimeUnit.MILLISECONDS);
            if (line != null) {
                seen.add(line);
                if (line.startsWith(prefix)) {
                    return line;
                }
                unclaimed.add(line);
                continue;
            }
            if (!process.isAlive() && lines.isEmpty()) {
                throw new AssertionError("the child ended (exit " + process.exitValue() + ") before printing '" + prefix
                        + "'; its output: " + seen + "; its log:\n" + logText());
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("the child printed no '" + prefix + "' within " + limit + "; its output: "
                        + seen + "; its log:\n" + logText());
            }
        }
    }

    /** Every line read so far. */
    List<String> seen() {
        return List.copyOf(seen);
    }

    /** Kills the process with SIGKILL and waits until it is gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("the child did not die within 30 s of SIGKILL");
        }
    }

    String logText() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
