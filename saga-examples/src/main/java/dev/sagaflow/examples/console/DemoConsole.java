package dev.sagaflow.examples.console;

import com.sun.net.httpserver.HttpServer;
import dev.sagaflow.SagaInfo;
import dev.sagaflow.SagaOrchestrator;
import dev.sagaflow.console.SagaConsole;
import dev.sagaflow.examples.support.Database;
import dev.sagaflow.jdbc.JdbcSagaStore;
import dev.sagaflow.store.SagaData;
import dev.sagaflow.store.SagaInstance;
import dev.sagaflow.store.SagaQuery;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The operator's console over the demo's sagas. Each scenario runs in its own service with its own H2
 * database, which it drops when it ends; before that, the demo copies each saga it ran (steps, data and
 * history, as its service's orchestrator reports them) into this one H2 database, and the console reads
 * it through an orchestrator of its own. It registers no definitions: the demo's sagas have all ended, so
 * there is nothing to retry or abort. Served on the loopback address to anonymous users, read-only.
 * Not thread-safe to fill; the console is.
 */
public final class DemoConsole implements AutoCloseable {
    /** What the copies carry instead of the definition's fingerprint, which the console does not show. */
    private static final String FINGERPRINT = "copied-by-the-demo";

    private final Database database = Database.inMemory("console");
    private final JdbcSagaStore store;
    private final SagaOrchestrator orchestrator;
    private HttpServer server;
    private ExecutorService executor;
    private int kept;

    private DemoConsole() {
        this.store = JdbcSagaStore.builder(database.dataSource()).createSchemaIfMissing(true).build();
        this.orchestrator = SagaOrchestrator.builder(store).nodeId("demo-console").build();
    }

    /** An empty console database. */
    public static DemoConsole create() {
        return new DemoConsole();
    }

    /** Copies {@code saga} (which must hold its history) into the console's database. */
    public void keep(SagaInfo saga) {
        SagaInstance copy = new SagaInstance(saga.sagaId(), saga.sagaName(), saga.sagaVersion(), FINGERPRINT, null,
                saga.status(), SagaData.ofJson(saga.dataJson()), saga.steps(), saga.createdAt(), saga.updatedAt(), null,
                null, null, 1, saga.error());
        if (!store.insert(copy, saga.history())) {
            throw new IllegalStateException("saga " + saga.sagaId() + " (" + saga.sagaName() + ") was kept twice");
        }
        kept++;
    }

    /** Copies every saga that {@code source} lists (up to 100) into the console's database. */
    public void keepAll(SagaOrchestrator source) {
        for (SagaInfo listed : source.list(SagaQuery.all())) {
            source.find(listed.sagaId()).ifPresent(this::keep);
        }
    }

    /** How many sagas were copied. */
    public int size() {
        return kept;
    }

    /**
     * Serves the console at {@code http://127.0.0.1:port/sagaflow/} ({@code port} 0: any free port) until
     * {@link #close()}.
     *
     * @return the console's address
     */
    public URI serve(int port) throws IOException {
        SagaConsole console = SagaConsole.builder(orchestrator).allowAnonymousReadOnlyOnLoopback().build();
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        console.mount(server);
        executor = Executors.newFixedThreadPool(2, r -> {
            Thread thread = new Thread(r, "demo-console");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.start();
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + console.basePath() + "/");
    }

    /** Stops serving, the orchestrator, and drops the database. Idempotent. */
    @Override
    public void close() {
        if (server != null) {
            server.stop(0);
            executor.shutdownNow();
            server = null;
        }
        orchestrator.close();
        database.close();
    }
}
