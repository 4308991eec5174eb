package dev.sagaflow.jdbc.support;

import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * Wraps a data source and can be switched off and on, as if the database went away and came back.
 * While it is off, {@code getConnection()} fails with "connection refused" (SQLState 08001), and a
 * connection taken before fails on its next statement or commit (08006), before anything reaches the
 * database, so no write ever half-happens. Closing and rolling back always work. Thread-safe.
 */
public final class OutageDataSource extends DelegatingDataSource {
    private static final Set<String> GUARDED = Set.of("prepareStatement", "createStatement", "prepareCall", "commit",
            "execute", "executeQuery", "executeUpdate", "executeLargeUpdate", "executeBatch", "executeLargeBatch");

    private final AtomicInteger refused = new AtomicInteger();
    private volatile boolean down;

    public OutageDataSource(DataSource target) {
        super(target);
    }

    /** From now on, every connection and statement fails. */
    public void goDown() {
        down = true;
    }

    /** From now on, everything works again. */
    public void comeBack() {
        down = false;
    }

    public boolean isDown() {
        return down;
    }

    /** How many connections and statements were refused so far. */
    public int refused() {
        return refused.get();
    }

    @Override
    public Connection getConnection() throws SQLException {
        check();
        return wrap(target.getConnection());
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        check();
        return wrap(target.getConnection(username, password));
    }

    private void check() throws SQLException {
        if (down) {
            refused.incrementAndGet();
            throw new SQLNonTransientConnectionException("Connection refused: the database is down (simulated outage)",
                    "08001");
        }
    }

    private Connection wrap(Connection connection) {
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                guard(connection));
    }

    private InvocationHandler guard(Object target) {
        return (proxy, method, args) -> {
            if (down && GUARDED.contains(method.getName())) {
                refused.incrementAndGet();
                throw new SQLTransientConnectionException("I/O error: the connection was reset (simulated outage)",
                        "08006");
            }
            Object result = call(target, method, args);
            if (result instanceof Statement statement) {
                return Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {method.getReturnType()},
                        guard(statement));
            }
            return result;
        };
    }
}
