package dev.sagaflow.rabbitmq.example;

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
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * {@link CustomerServiceMain} as a second JVM, started with this JVM's {@code java} and class path; its standard
 * error goes to ours. {@link #stop(Duration)} closes its standard input and reads the ledger it prints. Not
 * thread-safe.
 */
final class CustomerServiceProcess implements AutoCloseable {
    private final Process process;
    private final BufferedReader output;

    private CustomerServiceProcess(Process process) {
        this.process = process;
        this.output = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    /**
     * Starts the customer service on these queues with these credit limits (in cents) and returns once it
     * consumes its queue.
     *
     * @throws IllegalStateException if it exits before it is ready
     */
    static CustomerServiceProcess start(String amqpUri, String commands, String replies, Map<String, Long> limits)
            throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-cp", classPath(), CustomerServiceMain.class.getName(), amqpUri, commands, replies));
        limits.forEach((customer, cents) -> command.add(customer + "=" + cents));
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        CustomerServiceProcess service = new CustomerServiceProcess(process);
        String line;
        while ((line = service.output.readLine()) != null && !line.equals(CustomerServiceMain.READY)) {
            // nothing else comes before it
        }
        if (line == null) {
            service.close();
            throw new IllegalStateException("the customer service exited before it was ready (see its errors above)");
        }
        return service;
    }

    /** The process id of the customer service's JVM. */
    long pid() {
        return process.pid();
    }

    /**
     * Asks the customer service to stop once it handled every command queued so far, and returns its ledger.
     *
     * @throws IllegalStateException if it does not exit within {@code timeout}, or fails
     */
    CustomerLedger stop(Duration timeout) throws IOException, InterruptedException {
        process.getOutputStream().close();
        List<String> lines = new ArrayList<>();
        String line;
        while ((line = output.readLine()) != null) {
            lines.add(line);
        }
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            close();
            throw new IllegalStateException("the customer service did not stop within " + timeout);
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException("the customer service exited with " + process.exitValue());
        }
        return CustomerLedger.parse(lines);
    }

    /** Kills the customer service if it still runs. Idempotent. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }

    /**
     * The class path this class was loaded from. Under {@code mvn exec:java} the application's classes are on a
     * class loader of the plugin's, not on {@code java.class.path} (which is Maven's own), so that loader's URLs
     * come first.
     */
    static String classPath() {
        if (CustomerServiceProcess.class.getClassLoader() instanceof URLClassLoader loader) {
            Set<String> entries = new LinkedHashSet<>();
            for (URL url : loader.getURLs()) {
                try {
                    entries.add(Path.of(url.toURI()).toString());
                } catch (URISyntaxException | IllegalArgumentException e) {
                    // not a file: nothing a child JVM could load from
                }
            }
            return String.join(File.pathSeparator, entries);
        }
        return System.getProperty("java.class.path");
    }
}
