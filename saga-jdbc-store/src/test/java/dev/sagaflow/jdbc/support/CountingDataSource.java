package dev.sagaflow.jdbc.support;

import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * Wraps a data source and counts what reaches the database: commits and statements. A commit is an
 * explicit {@code commit()}, a statement executed in autocommit mode (the database commits it on its
 * own), or {@code setAutoCommit(true)} while a transaction has work in it (which commits it). A
 * statement is one {@code execute*} call, or one {@code executeBatch()}. Thread-safe.
 */
public final class CountingDataSource extends DelegatingDataSource {
    private static final Set<String> EXECUTE = Set.of("execute", "executeQuery", "executeUpdate",
            "executeLargeUpdate", "executeBatch", "executeLargeBatch");

    private final AtomicInteger commits = new AtomicInteger();
    private final AtomicInteger statements = new AtomicInteger();
    private final AtomicInteger connections = new AtomicInteger();

    public CountingDataSource(DataSource target) {
        super(target);
    }

    /** Commits since the last {@link #reset()}. */
    public int commits() {
        return commits.get();
    }

    /** Statements (round-trips that run SQL) since the last {@link #reset()}. */
    public int statements() {
        return statements.get();
    }

    /** Connections taken since the last {@link #reset()}. */
    public int connections() {
        return connections.get();
    }

    public void reset() {
        commits.set(0);
        statements.set(0);
        connections.set(0);
    }

    @Override
    public Connection getConnection() throws SQLException {
        return wrap(target.getConnection());
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return wrap(target.getConnection(username, password));
    }

    private Connection wrap(Connection connection) {
        connections.incrementAndGet();
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                new ConnectionHandler(connection));
    }

    private final class ConnectionHandler implements InvocationHandler {
        private final Connection connection;
        /** Whether statements ran in the current transaction since its last end (autocommit off). */
        private boolean dirty;

        ConnectionHandler(Connection connection) {
            this.connection = connection;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            switch (method.getName()) {
                case "commit" -> {
                    commits.incrementAndGet();
                    dirty = false;
                }
                case "rollback" -> dirty = false;
                case "setAutoCommit" -> {
                    if ((Boolean) args[0] && !connection.getAutoCommit() && dirty) {
                        commits.incrementAndGet();
                    }
                    dirty = false;
                }
                default -> {
                }
            }
            Object result = call(connection, method, args);
            if (result instanceof Statement statement) {
                Class<?> type = method.getReturnType();
                return Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {type},
                        (p, m, a) -> {
                            if (EXECUTE.contains(m.getName())) {
                                statements.incrementAndGet();
                                if (connection.getAutoCommit()) {
                                    commits.incrementAndGet();
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
