package dev.sagaflow.console.latency;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.sql.DataSource;

/**
 * A data source that notes every query run through it, with its parameters, while recording is on: the
 * statements a page really runs, to be run again under EXPLAIN ANALYZE. Thread-safe.
 */
final class RecordingDataSource {
    /** A query as it was run: its text and its parameters by index. */
    record Query(String sql, List<Object> parameters) {
    }

    private final DataSource target;
    private final List<Query> recorded = new ArrayList<>();
    private volatile boolean recording;

    RecordingDataSource(DataSource target) {
        this.target = target;
    }

    /** The data source to give the store. */
    DataSource dataSource() {
        return proxy(DataSource.class, (proxy, method, args) -> {
            Object result = call(target, method, args);
            return result instanceof Connection connection ? connection(connection) : result;
        });
    }

    /** Starts noting queries, forgetting those noted before. */
    synchronized void start() {
        recorded.clear();
        recording = true;
    }

    /** Stops noting and returns what was noted. */
    synchronized List<Query> stop() {
        recording = false;
        return List.copyOf(recorded);
    }

    private synchronized void note(String sql, Map<Integer, Object> parameters) {
        if (recording && sql.stripLeading().toUpperCase(java.util.Locale.ROOT).matches("(SELECT|WITH)\\b[\\s\\S]*")) {
            recorded.add(new Query(sql, new ArrayList<>(parameters.values())));
        }
    }

    private Connection connection(Connection connection) {
        return proxy(Connection.class, (proxy, method, args) -> {
            Object result = call(connection, method, args);
            if (result instanceof PreparedStatement prepared && method.getName().equals("prepareStatement")) {
                return prepared(prepared, (String) args[0]);
            }
            if (result instanceof Statement statement && method.getName().equals("createStatement")) {
                return statement(statement);
            }
            return result;
        });
    }

    private PreparedStatement prepared(PreparedStatement statement, String sql) {
        Map<Integer, Object> parameters = new TreeMap<>();
        return proxy(PreparedStatement.class, (proxy, method, args) -> {
            String name = method.getName();
            if (name.startsWith("set") && args != null && args.length >= 2 && args[0] instanceof Integer index) {
                parameters.put(index, args[1]);
            } else if (name.equals("clearParameters")) {
                parameters.clear();
            } else if (name.equals("executeQuery") || name.equals("execute")) {
                note(sql, parameters);
            }
            return call(statement, method, args);
        });
    }

    private Statement statement(Statement statement) {
        return proxy(Statement.class, (proxy, method, args) -> {
            if ((method.getName().equals("executeQuery") || method.getName().equals("execute")) && args != null
                    && args[0] instanceof String sql) {
                note(sql, Map.of());
            }
            return call(statement, method, args);
        });
    }

    private static Object call(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private static <T> T proxy(Class<T> type, InvocationHandler handler) {
        return type.cast(Proxy.newProxyInstance(RecordingDataSource.class.getClassLoader(), new Class<?>[] {type}, handler));
    }
}
