package dev.sagaflow.jdbc.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The clock leases are written and compared on: the database's own ({@link #database(Dialect)}), which every
 * node shares, or a given {@link Clock} (tests that set the time by hand). Statements name the current time
 * with the token {@value #NOW}, which {@link #sql(String)} replaces: by the dialect's SQL expression, or by the
 * given clock's reading as a literal. Thread-safe.
 */
public abstract class StoreClock {
    /** The token statements use for the store's current time, in microseconds since the epoch. */
    public static final String NOW = "{now}";

    private StoreClock() {
    }

    /** The database's clock, read inside every statement that needs it. */
    public static StoreClock database(Dialect dialect) {
        return new Database(dialect.nowMicros());
    }

    /** {@code clock}, read when a statement is prepared. */
    public static StoreClock of(Clock clock) {
        return new Given(clock);
    }

    /** {@code template} with {@value #NOW} replaced by this clock. */
    public abstract String sql(String template);

    /** The current time on this clock, in microseconds, read on {@code c} if it is the database's. */
    public abstract long now(Connection c) throws SQLException;

    private static final class Database extends StoreClock {
        private final String expression;
        private final String selectNow;
        /** Statements are built once per store; their texts with the clock are kept, not rebuilt per call. */
        private final Map<String, String> texts = new ConcurrentHashMap<>();

        Database(String expression) {
            this.expression = expression;
            this.selectNow = "SELECT " + expression;
        }

        @Override
        public String sql(String template) {
            return texts.computeIfAbsent(template, t -> t.replace(NOW, expression));
        }

        @Override
        public long now(Connection c) throws SQLException {
            try (PreparedStatement ps = c.prepareStatement(selectNow); ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("the database's clock returned no row: " + selectNow);
                }
                return rs.getLong(1);
            }
        }

        @Override
        public String toString() {
            return "leases on the database's clock";
        }
    }

    private static final class Given extends StoreClock {
        private final Clock clock;

        Given(Clock clock) {
            this.clock = clock;
        }

        @Override
        public String sql(String template) {
            return template.replace(NOW, "(" + micros() + ")");
        }

        @Override
        public long now(Connection c) {
            return micros();
        }

        private long micros() {
            return Micros.of(Instant.now(clock));
        }

        @Override
        public String toString() {
            return "leases on " + clock;
        }
    }
}
