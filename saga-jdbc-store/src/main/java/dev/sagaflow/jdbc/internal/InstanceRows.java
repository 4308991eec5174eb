package dev.sagaflow.jdbc.internal;

import dev.sagaflow.SagaStatus;
import dev.sagaflow.SagaStoreException;
import dev.sagaflow.store.HistoryEntry;
import dev.sagaflow.store.SagaData;
import dev.sagaflow.store.SagaInstance;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.List;

/**
 * Maps instance and history rows to and from the SPI records. Column order is fixed by
 * {@link #INSTANCE_COLUMNS} and {@link #HISTORY_COLUMNS}. Stateless and thread-safe.
 */
public final class InstanceRows {
    /** Every instance column, {@code id} first, in the order {@link #read(ResultSet)} expects. */
    public static final String INSTANCE_COLUMNS = "id, saga_name, saga_version, fingerprint, idempotency_key, status,"
            + " data, steps, created_at, updated_at, deadline, owner, lease_until, version, error";

    /** The history columns: one row per write, its entries as {@link HistoryJson}, keyed by the version written. */
    public static final String HISTORY_COLUMNS = "saga_id, version, entries";

    private InstanceRows() {
    }

    /** The instance columns prefixed with a table alias, for statements that join. */
    public static String instanceColumns(String alias) {
        return alias + "." + INSTANCE_COLUMNS.replace(", ", ", " + alias + ".");
    }

    /**
     * The instance's columns, all but {@code id}, in {@link #INSTANCE_COLUMNS} order, as one
     * encoded row. Encoding happens here, before any connection is taken.
     */
    public record Encoded(SagaInstance instance, String data, String steps) {
        /**
         * Encodes {@code instance}'s data and steps.
         *
         * @throws dev.sagaflow.SagaDataException if the data cannot be serialised
         */
        public static Encoded of(SagaInstance instance) {
            return new Encoded(instance, instance.data().json(), StepsJson.encode(instance.steps()));
        }

        /** Binds the 14 columns after {@code id} from parameter {@code first} on; returns the next index. */
        public int bindAllButId(PreparedStatement ps, int first) throws SQLException {
            int i = first;
            ps.setString(i++, instance.sagaName());
            ps.setInt(i++, instance.sagaVersion());
            ps.setString(i++, instance.fingerprint());
            ps.setString(i++, instance.idempotencyKey());
            ps.setString(i++, instance.status().name());
            ps.setString(i++, data);
            ps.setString(i++, steps);
            ps.setLong(i++, Micros.of(instance.createdAt()));
            ps.setLong(i++, Micros.of(instance.updatedAt()));
            setMicros(ps, i++, instance.deadline());
            ps.setString(i++, instance.owner());
            setMicros(ps, i++, instance.leaseUntil());
            ps.setLong(i++, instance.version());
            ps.setString(i++, instance.error());
            return i;
        }
    }

    /**
     * The instance in the current row, whose first 15 columns are {@link #INSTANCE_COLUMNS}.
     *
     * @throws SagaStoreException naming the instance if the row cannot be read (an unknown status,
     *     steps that are not valid JSON)
     */
    public static SagaInstance read(ResultSet rs) throws SQLException {
        String id = rs.getString(1);
        try {
            return new SagaInstance(id, rs.getString(2), rs.getInt(3), rs.getString(4), rs.getString(5),
                    SagaStatus.valueOf(rs.getString(6)), SagaData.ofJson(rs.getString(7)),
                    StepsJson.decode(rs.getString(8)), Micros.toInstant(rs.getLong(9)), Micros.toInstant(rs.getLong(10)),
                    micros(rs, 11), rs.getString(12), micros(rs, 13), rs.getLong(14), rs.getString(15));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new SagaStoreException("stored row of saga instance cannot be read: " + e.getMessage(), id, e);
        }
    }

    /** The history entries of the current row, whose columns are {@link #HISTORY_COLUMNS}. */
    public static List<HistoryEntry> readHistory(ResultSet rs) throws SQLException {
        String sagaId = rs.getString(1);
        try {
            return HistoryJson.decode(sagaId, rs.getString(3));
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new SagaStoreException("stored history of saga instance (write " + rs.getLong(2)
                    + ") cannot be read: " + e.getMessage(), sagaId, e);
        }
    }

    private static void setMicros(PreparedStatement ps, int index, Instant instant) throws SQLException {
        if (instant == null) {
            ps.setNull(index, Types.BIGINT);
        } else {
            ps.setLong(index, Micros.of(instant));
        }
    }

    private static Instant micros(ResultSet rs, int index) throws SQLException {
        long value = rs.getLong(index);
        return rs.wasNull() ? null : Micros.toInstant(value);
    }
}
