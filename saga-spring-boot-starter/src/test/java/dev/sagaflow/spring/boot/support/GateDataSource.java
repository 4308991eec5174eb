package dev.sagaflow.spring.boot.support;

import java.io.PrintWriter;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A data source for tests of an unreachable database: while closed, every {@code getConnection()} is refused as a
 * down server would refuse it; and it can make the next commit fail, as a connection lost during the commit.
 */
public final class GateDataSource implements DataSource {
    private final DataSource target;
    private final AtomicBoolean open = new AtomicBoolean(true);
    private final AtomicInteger commitsToFail = new AtomicInteger();

    public GateDataSource(DataSource target) {
        this.target = target;
    }

    /** Refuses connections from now on. */
    public void close() {
        open.set(false);
    }

    /** Gives connections again. */
    public void open() {
        open.set(true);
    }

    /** The next {@code times} commits roll back instead, then throw as if the connection broke. */
    public void failNextCommits(int times) {
        commitsToFail.set(times);
    }

    @Override
    public Connection getConnection() throws SQLException {
        if (!open.get()) {
            throw new SQLTransientConnectionException("connection refused (the test closed the gate)", "08001");
        }
        Connection connection = target.getConnection();
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("commit") && commitsToFail.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                        connection.rollback();
                        throw new SQLTransientConnectionException("connection lost during commit (test)", "08006");
                    }
                    try {
                        return method.invoke(connection, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return getConnection();
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
    public Logger getParentLogger() {
        return Logger.getGlobal();
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        throw new SQLException("not a wrapper");
    }

    @Override
    public boolean isWrapperFor(Class<?> type) {
        return false;
    }
}
