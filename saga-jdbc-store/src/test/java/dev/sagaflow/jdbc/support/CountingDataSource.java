package dev.sagaflow.jdbc.support;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import javax.sql.DataSource;

/**
 * Wraps a data source and counts what reaches the database: commits, statements and connections taken. A
 * commit is a {@code commit()} after statements, a statement executed in autocommit mode (the database
 * commits it on its own), or {@code setAutoCommit(true)} while a transaction has statements in it (which
 * commits it); a {@code commit()} with nothing to commit is not one. A statement is one {@code execute*}
 * call, or one {@code executeBatch()}. Thread-safe, and cheap enough under many threads for the benchmarks,
 * which put the same wrapper under every configuration (raw JDBC included), so its cost is shared alike.
 * Shared with {@code saga-benchmarks} through this module's test-jar.
 */
public final class CountingDataSource extends DelegatingDataSource {
    private static final Set<String> EXECUTE = Set.of("execute", "executeQuery", "executeUpdate",
            "executeLargeUpdate", "executeBatch", "executeLargeBatch");

    private final LongAdder commits = new LongAdder();
    private final LongAdder statements = new LongAdder();
    private final LongAdder connections = new LongAdder();

    public CountingDataSource(DataSource target) {
        super(target);
    }

    /** Commits since the last {@link #reset()}. */
    public int commits() {
        return commits.intValue();
    }

    /** Statements (round-trips that run SQL) since the last {@link #reset()}. */
    public int statements() {
        return statements.intValue();
    }

    /** Connections taken since the last {@link #reset()}. */
    public int connections() {
        return connections.intValue();
    }

    /** Starts counting from zero again. */
    public void reset() {
        commits.reset();
        statements.reset();
        connections.reset();
    }

    @Override
    public Connection getConnection() throws SQLException {
        return wrap(target.getConnection());
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return wrap(target.getConnection(username, password));
    }

    private Connection wrap(Connection connection) throws SQLException {
        connections.increment();
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                new ConnectionHandler(connection, connection.getAutoCommit()));
    }

    private final class ConnectionHandler implements InvocationHandler {
        private final Connection connection;
        /** The connection's autocommit mode, tracked here rather than asked of the driver on every statement. */
        private boolean autoCommit;
        /** Whether statements ran in the current transaction since its last end (autocommit off). */
        private boolean dirty;

        ConnectionHandler(Connection connection, boolean autoCommit) {
            this.connection = connection;
            this.autoCommit = autoCommit;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            switch (method.getName()) {
                case "commit" -> {
                    if (dirty) {
                        commits.increment();
                    }
                    dirty = false;
                }
                case "rollback" -> dirty = false;
                case "setAutoCommit" -> {
                    boolean on = (Boolean) args[0];
                    if (on && !autoCommit && dirty) {
                        commits.increment();
                    }
                    dirty = false;
                    Object result = call(connection, method, args);
                    autoCommit = on;
                    return result;
                }
                default -> {
                }
            }
            Object result = call(connection, method, args);
            if (result instanceof Statement statement) {
                return Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {method.getReturnType()},
                        (p, m, a) -> {
                            if (EXECUTE.contains(m.getName())) {
                                statements.increment();
                                if (autoCommit) {
                                    commits.increment();
                                } else {
                                    dirty = true;
                                }
                            }
                            return call(statement, m, a);
                        });
            }
            return result;
        }
    }
}
