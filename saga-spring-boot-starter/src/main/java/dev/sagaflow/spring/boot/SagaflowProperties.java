package dev.sagaflow.spring.boot;

import dev.sagaflow.jdbc.JdbcDialect;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Sagaflow's settings under {@code sagaflow.*}. The defaults are those of {@code SagaOrchestrator.Builder} and
 * {@code JdbcSagaStore.Builder}. Bound by Spring once at start-up; not thread-safe while being bound.
 */
@ConfigurationProperties(prefix = "sagaflow")
public class SagaflowProperties {
    /** Whether Sagaflow is auto-configured at all. */
    private boolean enabled = true;
    /**
     * This node's id, recorded as the owner of the instances it drives. Give a stable id per process (the host or
     * pod name) so that a restarted process resumes its own sagas at once. Default: a random one per start.
     */
    private String nodeId;
    /** How long a node's claim on an instance lasts without renewal; renewed every third of it. */
    private Duration leaseDuration = Duration.ofSeconds(30);
    /** How often to look for instances that no node drives (also how soon a start with the database down recovers). */
    private Duration pollInterval = Duration.ofSeconds(10);
    /** How long closing the orchestrator (when the application stops) waits for running attempts. */
    private Duration shutdownTimeout = Duration.ofSeconds(10);
    /** The size of the pool that runs actions and compensations. Default: max(4, 2 x cores). */
    private Integer workerThreads;
    /** Whether start-up resumes this node's and orphaned instances at once. */
    private boolean recoverOnStart = true;
    private final Jdbc jdbc = new Jdbc();
    private final Memory memory = new Memory();
    private final Metrics metrics = new Metrics();
    private final Tracing tracing = new Tracing();

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public String getNodeId() {
        return nodeId;
    }

    public void setNodeId(String nodeId) {
        this.nodeId = nodeId;
    }

    public Duration getLeaseDuration() {
        return leaseDuration;
    }

    public void setLeaseDuration(Duration leaseDuration) {
        this.leaseDuration = leaseDuration;
    }

    public Duration getPollInterval() {
        return pollInterval;
    }

    public void setPollInterval(Duration pollInterval) {
        this.pollInterval = pollInterval;
    }

    public Duration getShutdownTimeout() {
        return shutdownTimeout;
    }

    public void setShutdownTimeout(Duration shutdownTimeout) {
        this.shutdownTimeout = shutdownTimeout;
    }

    public Integer getWorkerThreads() {
        return workerThreads;
    }

    public void setWorkerThreads(Integer workerThreads) {
        this.workerThreads = workerThreads;
    }

    public boolean isRecoverOnStart() {
        return recoverOnStart;
    }

    public void setRecoverOnStart(boolean recoverOnStart) {
        this.recoverOnStart = recoverOnStart;
    }

    public Jdbc getJdbc() {
        return jdbc;
    }

    public Memory getMemory() {
        return memory;
    }

    public Metrics getMetrics() {
        return metrics;
    }

    public Tracing getTracing() {
        return tracing;
    }

    @Override
    public String toString() {
        return "SagaflowProperties[enabled " + enabled + ", nodeId " + nodeId + ", leaseDuration " + leaseDuration
                + ", pollInterval " + pollInterval + ", shutdownTimeout " + shutdownTimeout + ", workerThreads "
                + workerThreads + ", recoverOnStart " + recoverOnStart + ", " + jdbc + ", " + memory + ", " + metrics
                + ", " + tracing + "]";
    }

    /** The JDBC store on the application's {@code DataSource}. */
    public static class Jdbc {
        /** The prefix of the store's table names ({@code <prefix>instances}, {@code <prefix>history}). */
        private String tablePrefix = "saga_";
        /**
         * Whether the store creates its tables when they are missing (never drops or alters anything). Default
         * false: run the schema file from the jar with your migrations (Flyway, Liquibase).
         */
        private boolean createSchema;
        /** The database's dialect. Default: detected from the connection on first use. */
        private JdbcDialect dialect;
        /** Whether concurrent writes are gathered into one statement and one commit (PostgreSQL). */
        private boolean groupCommit;

        public String getTablePrefix() {
            return tablePrefix;
        }

        public void setTablePrefix(String tablePrefix) {
            this.tablePrefix = tablePrefix;
        }

        public boolean isCreateSchema() {
            return createSchema;
        }

        public void setCreateSchema(boolean createSchema) {
            this.createSchema = createSchema;
        }

        public JdbcDialect getDialect() {
            return dialect;
        }

        public void setDialect(JdbcDialect dialect) {
            this.dialect = dialect;
        }

        public boolean isGroupCommit() {
            return groupCommit;
        }

        public void setGroupCommit(boolean groupCommit) {
            this.groupCommit = groupCommit;
        }

        @Override
        public String toString() {
            return "jdbc[tablePrefix " + tablePrefix + ", createSchema " + createSchema + ", dialect "
                    + (dialect == null ? "detected" : dialect) + ", groupCommit " + groupCommit + "]";
        }
    }

    /** The in-memory store, used when the application has no {@code DataSource}. */
    public static class Memory {
        /** How many successfully finished instances the in-memory store keeps (FAILED and live ones are always kept). */
        private int retainFinished = 10_000;

        public int getRetainFinished() {
            return retainFinished;
        }

        public void setRetainFinished(int retainFinished) {
            this.retainFinished = retainFinished;
        }

        @Override
        public String toString() {
            return "memory[retainFinished " + retainFinished + "]";
        }
    }

    /** Micrometer metrics and observations (saga-micrometer), when the application has a {@code MeterRegistry}. */
    public static class Metrics {
        /** Whether Sagaflow's metrics are recorded. */
        private boolean enabled = true;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        @Override
        public String toString() {
            return "metrics[enabled " + enabled + "]";
        }
    }

    /** Spans (saga-opentelemetry), when it is on the class path and the application has an {@code OpenTelemetry}. */
    public static class Tracing {
        /** Whether Sagaflow makes spans. */
        private boolean enabled = true;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        @Override
        public String toString() {
            return "tracing[enabled " + enabled + "]";
        }
    }
}
