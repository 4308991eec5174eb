package dev.sagaflow.benchmarks;

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
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * Counts what reaches the database through a data source: commits (an explicit {@code commit()} after work,
 * or a statement run in autocommit, which the database commits on its own) and statements. Thread-safe. The
 * same wrapper sits under every configuration, raw JDBC included, so its small cost is shared alike.
 */
final class CountingDataSource implements DataSource {
    private static final Set<String> EXECUTE = Set.of("execute", "executeQuery", "executeUpdate",
            "executeLargeUpdate", "executeBatch", "executeLargeBatch");

    private final DataSource target;
    private final LongAdder commits = new LongAdder();
    private final LongAdder statements = new LongAdder();

    CountingDataSource(DataSource target) {
        this.target = target;
    }

    long commits() {
        return commits.sum();
    }

    long statements() {
        return statements.sum();
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
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                new ConnectionHandler(connection));
    }

    private final class ConnectionHandler implements InvocationHandler {
        private final Connection connection;
        private boolean autoCommit = true;
        private boolean dirty;

        ConnectionHandler(Connection connection) throws IllegalStateException {
            this.connection = connection;
            try {
                this.autoCommit = connection.getAutoCommit();
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
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

    private static Object call(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return target.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        target.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        target.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return target.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return target.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        return target.unwrap(iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
        return target.isWrapperFor(iface);
    }
}
