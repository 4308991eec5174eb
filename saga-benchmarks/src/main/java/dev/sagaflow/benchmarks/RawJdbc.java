package dev.sagaflow.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sagaflow.BusinessRejection;
import dev.sagaflow.jdbc.support.CountingDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Baseline: the minimal durable saga protocol written by hand over raw JDBC. One row per saga; one autocommit
 * INSERT, then one autocommit UPDATE with a version check per transition (4 writes for a HAPPY saga, 6 for a FAIL
 * one); the data is stored as JSON, as any durable protocol must keep it. Each caller holds one connection, with
 * its two statements prepared, for the length of a measurement window, and gives it back to the database's pool
 * (shared by the configurations that take turns on that database) at the window's end.
 */
final class RawJdbc implements Workload {
    static final String TABLE = Database.PREFIX + "raw_sagas";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Database database;
    private final CountingDataSource counting;

    RawJdbc(Database database, DataSource pool) throws SQLException {
        this.database = database;
        database.execute("CREATE TABLE IF NOT EXISTS " + TABLE + " (id VARCHAR(100) NOT NULL PRIMARY KEY,"
                + " status VARCHAR(20) NOT NULL, step INTEGER NOT NULL, data TEXT NOT NULL, version BIGINT NOT NULL)");
        database.truncate(TABLE);
        this.counting = new CountingDataSource(pool);
    }

    @Override
    public String name() {
        return "raw-jdbc-" + (database == Database.POSTGRESQL ? "pg" : "mariadb");
    }

    @Override
    public Database database() {
        return database;
    }

    @Override
    public long commits() {
        return counting.commits();
    }

    @Override
    public long statements() {
        return counting.statements();
    }

    @Override
    public Caller caller(int index) throws SQLException {
        return new RawCaller(counting);
    }

    @Override
    public void close() {
        database.truncate(TABLE);
    }

    private static final class RawCaller implements Caller {
        private final DataSource dataSource;
        private Connection connection;
        private PreparedStatement insert;
        private PreparedStatement update;

        RawCaller(DataSource dataSource) {
            this.dataSource = dataSource;
        }

        private void open() throws SQLException {
            connection = dataSource.getConnection();
            insert = connection.prepareStatement("INSERT INTO " + TABLE
                    + " (id, status, step, data, version) VALUES (?, ?, ?, ?, 1)");
            update = connection.prepareStatement("UPDATE " + TABLE
                    + " SET status = ?, step = ?, data = ?, version = ? WHERE id = ? AND version = ?");
        }

        @Override
        public void runSaga(Order order, boolean fail) throws Exception {
            if (connection == null) {
                open();
            }
            String id = UUID.randomUUID().toString();
            insert.setString(1, id);
            insert.setString(2, "RUNNING");
            insert.setInt(3, 0);
            insert.setString(4, JSON.writeValueAsString(order));
            if (insert.executeUpdate() != 1) {
                throw new IllegalStateException("insert of saga " + id + " wrote nothing");
            }
            long version = 1;
            Order data = Handlers.reserveCredit(order);
            version = transition(id, version, "RUNNING", 1, data);
            data = Handlers.reserveInventory(data);
            version = transition(id, version, "RUNNING", 2, data);
            try {
                data = Handlers.approve(data);
                transition(id, version, "COMPLETED", 3, data);
            } catch (BusinessRejection rejection) {
                version = transition(id, version, "COMPENSATING", 1, data);
                data = Handlers.releaseInventory(data);
                version = transition(id, version, "COMPENSATING", 0, data);
                data = Handlers.releaseCredit(data);
                transition(id, version, "COMPENSATED", -1, data);
            }
            data.verify(fail);
        }

        private long transition(String id, long version, String status, int step, Order data) throws Exception {
            update.setString(1, status);
            update.setInt(2, step);
            update.setString(3, JSON.writeValueAsString(data));
            update.setLong(4, version + 1);
            update.setString(5, id);
            update.setLong(6, version);
            if (update.executeUpdate() != 1) {
                throw new IllegalStateException("saga " + id + " lost its compare-and-set at version " + version);
            }
            return version + 1;
        }

        @Override
        public void windowEnded() throws SQLException {
            close();
        }

        @Override
        public void close() throws SQLException {
            if (connection != null) {
                insert.close();
                update.close();
                connection.close();
                connection = null;
            }
        }
    }
}
