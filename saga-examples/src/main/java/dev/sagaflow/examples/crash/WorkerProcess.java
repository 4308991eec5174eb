package dev.sagaflow.examples.crash;

import dev.sagaflow.examples.support.Timeline;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A {@link CrashWorker} in a child JVM on this JVM's class path. Its output is relayed to the
 * timeline, and {@link #awaitInFlight} waits until every saga hangs mid-step. Not thread-safe.
 */
final class WorkerProcess {
    private final Process process;
    private final CountDownLatch inFlight;
    private final List<String> output = new ArrayList<>();

    private WorkerProcess(Process process, int sagas, Timeline timeline) {
        this.process = process;
        this.inFlight = new CountDownLatch(sagas);
        Thread relay = new Thread(() -> relay(timeline), "crash-worker-output");
        relay.setDaemon(true);
        relay.start();
    }

    /** Starts {@code CrashWorker <jdbcUrl> <sagas>} in a new JVM. */
    static WorkerProcess start(String jdbcUrl, int sagas, Timeline timeline) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-cp", classPath(),
                CrashWorker.class.getName(), jdbcUrl, Integer.toString(sagas));
        builder.redirectErrorStream(true);
        return new WorkerProcess(builder.start(), sagas, timeline);
    }

    long pid() {
        return process.pid();
    }

    /**
     * Waits until every saga hangs in its step.
     *
     * @throws IllegalStateException if the worker exits first, or does not get there within {@code patience}
     */
    void awaitInFlight(Duration patience) throws InterruptedException {
        Instant giveUp = Instant.now().plus(patience);
        while (!inFlight.await(50, TimeUnit.MILLISECONDS)) {
            if (!process.isAlive() || Instant.now().isAfter(giveUp)) {
                process.destroyForcibly();
                throw new IllegalStateException("the worker " + (process.isAlive() ? "did not start its sagas in "
                        + patience : "exited with " + process.waitFor()) + "; its output:\n" + String.join("\n", output()));
            }
        }
    }

    /** Kills the worker as a power cut would ({@code SIGKILL} on Unix) and waits until it is gone. */
    int kill() throws InterruptedException {
        process.destroyForcibly();
        return process.waitFor();
    }

    private void relay(Timeline timeline) {
        try (BufferedReader lines = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                synchronized (output) {
                    output.add(line);
                }
                if (line.startsWith(CrashWorker.IN_FLIGHT)) {
                    inFlight.countDown();
                } else {
                    timeline.line("worker |" + line);
                }
            }
        } catch (IOException e) {
            // The worker was killed: its output ends here.
        }
    }

    private List<String> output() {
        synchronized (output) {
            return List.copyOf(output);
        }
    }

    /**
     * The class path to give the child: the URLs of this class's loader when it is a
     * {@link URLClassLoader} (as under {@code mvn exec:java}), else {@code java.class.path}.
     */
    private static String classPath() {
        if (WorkerProcess.class.getClassLoader() instanceof URLClassLoader loader) {
            List<String> entries = new ArrayList<>();
            for (URL url : loader.getURLs()) {
                try {
                    entries.add(Path.of(url.toURI()).toString());
                } catch (URISyntaxException | IllegalArgumentException e) {
                    // Not a file: the child cannot use it.
                }
            }
            if (!entries.isEmpty()) {
                return String.join(File.pathSeparator, entries);
            }
        }
        return System.getProperty("java.class.path");
    }
}
