package dev.sagaflow.console.latency;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sagaflow.SagaOrchestrator;
import dev.sagaflow.console.ConsoleUser;
import dev.sagaflow.console.SagaConsole;
import dev.sagaflow.console.latency.RecordingDataSource.Query;
import dev.sagaflow.console.support.ConsoleServer;
import dev.sagaflow.console.support.PostgresDatabase;
import dev.sagaflow.jdbc.JdbcSagaStore;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * How long the console's pages take over {@code sagaflow.latency.instances} instances (default 1,000,000)
 * in PostgreSQL, and the plan of every statement they run (EXPLAIN ANALYZE, with the parameters they ran
 * with). Writes {@code target/console-latency.md}. Not part of the build: run it with
 * {@code mvn -pl saga-console -am verify -Pconsole-latency -Dtest=ListPageLatencyTest
 * -Dsurefire.failIfNoSpecifiedTests=false} (with {@code SAGAFLOW_PG_URL} naming your database). Loading a
 * million instances takes about a minute and is skipped when the table already holds that many.
 */
@Tag("console-latency")
class ListPageLatencyTest {
    private static final String PREFIX = "sconlat_";
    private static final int INSTANCES = Integer.getInteger("sagaflow.latency.instances", 1_000_000);
    private static final int WARM_UP = 3;
    private static final int RUNS = 15;

    @Test
    void every_page_of_the_console_over_a_million_instances_is_timed_and_its_statements_explained() throws Exception {
        assertThat(PostgresDatabase.problem()).as("PostgreSQL at %s", PostgresDatabase.url()).isNull();
        Duration loading = MillionInstances.ensure(PREFIX, INSTANCES);
        RecordingDataSource recording = new RecordingDataSource(PostgresDatabase.pooled());
        JdbcSagaStore store = JdbcSagaStore.builder(recording.dataSource()).tablePrefix(PREFIX).build();
        // No definitions, no recovery and no polling: this orchestrator only reads; it must neither claim the
        // live instances nor run its own queries while the pages' statements are recorded.
        try (SagaOrchestrator orchestrator = SagaOrchestrator.builder(store).nodeId("latency").recoverOnStart(false)
                .pollInterval(Duration.ofDays(1)).build();
                ConsoleServer server = ConsoleServer.start(SagaConsole.builder(orchestrator)
                        .authorizer(request -> Optional.of(ConsoleUser.readOnly("latency"))).build())) {
            Map<String, String> pages = pages();
            StringBuilder report = new StringBuilder("# Console pages over " + String.format(Locale.ROOT, "%,d",
                    MillionInstances.count(PREFIX)) + " instances in PostgreSQL\n\n");
            report.append(loading.isZero() ? "Instances already loaded.\n\n"
                    : "Loaded in " + loading.toSeconds() + " s.\n\n");
            report.append("| page | request | median ms | p95 ms | statements |\n|---|---|---:|---:|---:|\n");
            Map<String, List<Query>> statements = new LinkedHashMap<>();
            for (Map.Entry<String, String> page : pages.entrySet()) {
                for (int i = 0; i < WARM_UP; i++) {
                    assertOk(server.get(page.getValue()), page.getValue());
                }
                List<Double> millis = new ArrayList<>();
                for (int i = 0; i < RUNS; i++) {
                    if (i == 0) {
                        recording.start();
                    }
                    long started = System.nanoTime();
                    assertOk(server.get(page.getValue()), page.getValue());
                    millis.add((System.nanoTime() - started) / 1e6);
                    if (i == 0) {
                        statements.put(page.getKey(), recording.stop());
                    }
                }
                millis.sort(Double::compare);
                report.append(String.format(Locale.ROOT, "| %s | `%s` | %.1f | %.1f | %d |%n", page.getKey(),
                        page.getValue(), millis.get(RUNS / 2), millis.get((int) Math.ceil(RUNS * 0.95) - 1),
                        statements.get(page.getKey()).size()));
            }
            report.append("\nMedians and 95th percentiles of ").append(RUNS).append(" requests after ").append(WARM_UP)
                    .append(" to warm up, through the JDK HTTP server on loopback, rendering included.\n\n");
            report.append("## Plans\n\n");
            Set<String> explained = new LinkedHashSet<>();
            for (Map.Entry<String, List<Query>> page : statements.entrySet()) {
                for (Query query : page.getValue()) {
                    String key = query.sql() + query.parameters();
                    if (explained.add(key)) {
                        report.append("### ").append(page.getKey()).append("\n\n```\n").append(query.sql())
                                .append("\n-- parameters: ").append(query.parameters()).append("\n\n")
                                .append(explain(query)).append("```\n\n");
                    }
                }
            }
            Path file = Path.of(System.getProperty("basedir", "."), "target", "console-latency.md");
            Files.createDirectories(file.getParent());
            Files.writeString(file, report);
            System.out.println(report);
        }
    }

    /** The pages an operator opens, by name, with their request paths below the console's base path. */
    private static Map<String, String> pages() throws SQLException {
        Map<String, String> pages = new LinkedHashMap<>();
        pages.put("overview", "/");
        pages.put("list, first page", "/sagas");
        pages.put("list, FAILED", "/sagas?status=FAILED");
        pages.put("list, one saga name", "/sagas?name=order-saga-eu");
        pages.put("list, RUNNING without progress for 1 h", "/sagas?status=RUNNING&idle=1h");
        pages.put("list, started more than 7 days ago", "/sagas?age=7d");
        pages.put("list, a page in the middle", "/sagas?after=" + middleCursor());
        pages.put("list, by idempotency key and name", "/sagas?name=order-saga-eu&key=key-completed-4");
        pages.put("list, by idempotency key alone", "/sagas?key=key-completed-4");
        pages.put("one saga", "/sagas/" + oneId());
        return pages;
    }

    /** The cursor after the instance in the middle of the result order, URL-encoded. */
    private static String middleCursor() throws SQLException {
        try (Connection c = PostgresDatabase.dataSource().getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT created_at, id FROM " + PREFIX + "instances ORDER BY created_at, id"
                        + " OFFSET " + INSTANCES / 2 + " LIMIT 1")) {
            rs.next();
            long micros = rs.getLong(1);
            java.time.Instant createdAt = java.time.Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000),
                    Math.floorMod(micros, 1_000_000) * 1000L);
            return java.net.URLEncoder.encode(createdAt + "|" + rs.getString(2), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    private static String oneId() throws SQLException {
        try (Connection c = PostgresDatabase.dataSource().getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT i.id FROM " + PREFIX + "instances i JOIN " + PREFIX
                        + "history h ON h.saga_id = i.id WHERE i.status = 'FAILED' LIMIT 1")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static String explain(Query query) throws SQLException {
        try (Connection c = PostgresDatabase.dataSource().getConnection();
                PreparedStatement ps = c.prepareStatement("EXPLAIN (ANALYZE, BUFFERS) " + query.sql())) {
            for (int i = 0; i < query.parameters().size(); i++) {
                ps.setObject(i + 1, query.parameters().get(i));
            }
            StringBuilder plan = new StringBuilder();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    plan.append(rs.getString(1)).append('\n');
                }
            }
            return plan.toString();
        }
    }

    private static void assertOk(HttpResponse<String> response, String path) throws IOException {
        if (response.statusCode() != 200 && response.statusCode() != 303) {
            throw new IOException(path + " answered " + response.statusCode() + ": " + response.body());
        }
    }
}
