package dev.sagaflow.jdbc.internal;

import static dev.sagaflow.jdbc.internal.InstanceColumn.CREATED_AT;
import static dev.sagaflow.jdbc.internal.InstanceColumn.DATA;
import static dev.sagaflow.jdbc.internal.InstanceColumn.DEADLINE;
import static dev.sagaflow.jdbc.internal.InstanceColumn.ERROR;
import static dev.sagaflow.jdbc.internal.InstanceColumn.FINGERPRINT;
import static dev.sagaflow.jdbc.internal.InstanceColumn.ID;
import static dev.sagaflow.jdbc.internal.InstanceColumn.IDEMPOTENCY_KEY;
import static dev.sagaflow.jdbc.internal.InstanceColumn.LEASE_UNTIL;
import static dev.sagaflow.jdbc.internal.InstanceColumn.METADATA;
import static dev.sagaflow.jdbc.internal.InstanceColumn.OWNER;
import static dev.sagaflow.jdbc.internal.InstanceColumn.SAGA_NAME;
import static dev.sagaflow.jdbc.internal.InstanceColumn.SAGA_VERSION;
import static dev.sagaflow.jdbc.internal.InstanceColumn.STATUS;
import static dev.sagaflow.jdbc.internal.InstanceColumn.STEPS;
import static dev.sagaflow.jdbc.internal.InstanceColumn.UPDATED_AT;
import static dev.sagaflow.jdbc.internal.InstanceColumn.VERSION;

import dev.sagaflow.SagaStatus;
import dev.sagaflow.SagaStoreException;
import dev.sagaflow.store.HistoryEntry;
import dev.sagaflow.store.SagaData;
import dev.sagaflow.store.SagaInstance;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

/**
 * Reads instance and history rows into the SPI records: instance rows selected with
 * {@link InstanceColumn#list()}, history rows with {@link #HISTORY_COLUMNS}. Stateless and thread-safe.
 */
public final class InstanceRows {
    /** The history columns: one row per write, its entries as {@link HistoryJson}, keyed by the version written. */
    public static final String HISTORY_COLUMNS = "saga_id, version, entries";

    private InstanceRows() {
    }

    /**
     * The instance in the current row, whose first columns are {@link InstanceColumn#list()}.
     *
     * @throws SagaStoreException naming the instance if the row cannot be read (an unknown status,
     *     steps that are not valid JSON)
     */
    public static SagaInstance read(ResultSet rs) throws SQLException {
        String id = rs.getString(ID.position());
        try {
            return new SagaInstance(id, rs.getString(SAGA_NAME.position()), rs.getInt(SAGA_VERSION.position()),
                    rs.getString(FINGERPRINT.position()), rs.getString(IDEMPOTENCY_KEY.position()),
                    SagaStatus.valueOf(rs.getString(STATUS.position())), SagaData.ofJson(rs.getString(DATA.position())),
                    StepsJson.decode(rs.getString(STEPS.position())), micros(rs, CREATED_AT), micros(rs, UPDATED_AT),
                    micros(rs, DEADLINE), rs.getString(OWNER.position()), micros(rs, LEASE_UNTIL),
                    rs.getLong(VERSION.position()), rs.getString(ERROR.position()),
                    MetadataJson.decode(rs.getString(METADATA.position())));
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

    /** A timestamp column; {@code null} when SQL NULL. */
    private static Instant micros(ResultSet rs, InstanceColumn column) throws SQLException {
        long value = rs.getLong(column.position());
        return rs.wasNull() ? null : Micros.toInstant(value);
    }
}
