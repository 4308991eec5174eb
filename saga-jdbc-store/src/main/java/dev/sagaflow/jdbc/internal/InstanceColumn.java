package dev.sagaflow.jdbc.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The columns of the instances table, in the order every statement lists them and {@link InstanceRows#read}
 * reads them: the one table from which every column list, placeholder list, {@code SET} list and binding is
 * generated. A new column is one constant here (and one line in each schema file). Immutable.
 */
public enum InstanceColumn {
    ID("id", Kind.TEXT, row -> row.instance().id()),
    SAGA_NAME("saga_name", Kind.TEXT, row -> row.instance().sagaName()),
    SAGA_VERSION("saga_version", Kind.INT, row -> row.instance().sagaVersion()),
    FINGERPRINT("fingerprint", Kind.TEXT, row -> row.instance().fingerprint()),
    IDEMPOTENCY_KEY("idempotency_key", Kind.TEXT, row -> row.instance().idempotencyKey()),
    STATUS("status", Kind.TEXT, row -> row.instance().status().name()),
    DATA("data", Kind.JSON, EncodedInstance::data),
    STEPS("steps", Kind.JSON, EncodedInstance::steps),
    CREATED_AT("created_at", Kind.MICROS, row -> row.instance().createdAt()),
    UPDATED_AT("updated_at", Kind.MICROS, row -> row.instance().updatedAt()),
    DEADLINE("deadline", Kind.MICROS, row -> row.instance().deadline()),
    OWNER("owner", Kind.TEXT, row -> row.instance().owner()),
    /** Written as the store's clock plus the write's lease (see {@link StoreClock}); read as an instant. */
    LEASE_UNTIL("lease_until", Kind.LEASE, EncodedInstance::leaseMicros),
    VERSION("version", Kind.BIGINT, row -> row.instance().version()),
    ERROR("error", Kind.TEXT, row -> Text.storable(row.instance().error())),
    METADATA("metadata", Kind.TEXT, EncodedInstance::metadata);

    /** How a column's value is bound, alone ({@code setX}) and as a PostgreSQL array (for {@code unnest}). */
    private enum Kind {
        TEXT("varchar"), JSON("text"), INT("int4"), BIGINT("int8"), MICROS("int8"), LEASE("int8");

        final String arrayType;

        Kind(String arrayType) {
            this.arrayType = arrayType;
        }

        Object[] newArray(int length) {
            return switch (this) {
                case TEXT, JSON -> new String[length];
                case INT -> new Integer[length];
                case BIGINT, MICROS, LEASE -> new Long[length];
            };
        }
    }

    private static final List<InstanceColumn> ALL = List.of(values());
    private static final List<InstanceColumn> ALL_BUT_ID = ALL.subList(1, ALL.size());
    private static final String NAMES = ALL.stream().map(c -> c.column).collect(Collectors.joining(", "));

    private final String column;
    private final Kind kind;
    private final Function<EncodedInstance, Object> value;

    InstanceColumn(String column, Kind kind, Function<EncodedInstance, Object> value) {
        this.column = column;
        this.kind = kind;
        this.value = value;
    }

    /** The column's 1-based position in {@link #list()}, and so in a row read with it. */
    public int position() {
        return ordinal() + 1;
    }

    /** Every column, comma-separated: {@code id, saga_name, ...}. */
    public static String list() {
        return NAMES;
    }

    /** Every column but {@code id}, each preceded by a comma: {@code , saga_name, saga_version, ...}. */
    public static String listAllButIdAfterComma() {
        return ALL_BUT_ID.stream().map(c -> ", " + c.column).collect(Collectors.joining());
    }

    /** One placeholder per column, in order, each as the dialect needs it: {@code ?, ?, CAST(? AS json), ...}. */
    public static String placeholders(Dialect dialect) {
        return ALL.stream().map(c -> c.expression(dialect, "?")).collect(Collectors.joining(", "));
    }

    /** {@code saga_name = ?, ...} for every column but {@code id}: what an update sets. */
    public static String assignments(Dialect dialect) {
        return ALL_BUT_ID.stream().map(c -> c.column + " = " + c.expression(dialect, "?"))
                .collect(Collectors.joining(", "));
    }

    /**
     * {@code saga_name = s.saga_name, ...} for every column but {@code id}, taking the values from the same
     * columns of relation {@code source}: what a batched update sets.
     */
    public static String assignmentsFrom(Dialect dialect, String source) {
        return ALL_BUT_ID.stream().map(c -> c.column + " = " + c.expression(dialect, source + "." + c.column))
                .collect(Collectors.joining(", "));
    }

    /** {@code s.id, s.saga_name, ...}: every column's value taken from relation {@code source}, as the dialect needs it. */
    public static String valuesFrom(Dialect dialect, String source) {
        return ALL.stream().map(c -> c.expression(dialect, source + "." + c.column)).collect(Collectors.joining(", "));
    }

    /**
     * One array placeholder per column but {@code id}, each preceded by a comma, for {@code unnest}:
     * {@code , (SELECT CAST(? AS varchar[])), ...}.
     */
    public static String arrayPlaceholdersAllButIdAfterComma() {
        return ALL_BUT_ID.stream().map(c -> ", " + arrayPlaceholder(c.kind.arrayType)).collect(Collectors.joining());
    }

    /**
     * An array parameter of {@code type} for {@code unnest}, behind a sub-select. The sub-select hides the
     * array's length from the planner, so that its estimate for {@code unnest} no longer depends on the values
     * bound: the plan for the values at hand then costs the same as the generic plan, the server settles on the
     * generic plan after five executions of the prepared statement, and stops planning it again on every call
     * (planning a batch statement costs more than running it).
     */
    public static String arrayPlaceholder(String type) {
        return "(SELECT CAST(? AS " + type + "[]))";
    }

    /** Binds every column but {@code id} of {@code row}, from parameter {@code first} on; returns the next index. */
    public static int bindAllButId(PreparedStatement ps, int first, EncodedInstance row) throws SQLException {
        int i = first;
        for (InstanceColumn c : ALL_BUT_ID) {
            c.bind(ps, i++, c.value.apply(row));
        }
        return i;
    }

    /**
     * Binds every column but {@code id} of {@code rows} as one array per column, from parameter {@code first}
     * on, matching {@link #arrayPlaceholdersAllButIdAfterComma()}; returns the next index.
     */
    public static int bindArraysAllButId(Connection c, PreparedStatement ps, int first, List<EncodedInstance> rows)
            throws SQLException {
        int i = first;
        for (InstanceColumn column : ALL_BUT_ID) {
            // Typed arrays (String[], Long[], ...) let the driver send them in binary where it can.
            Object[] values = column.kind.newArray(rows.size());
            for (int k = 0; k < values.length; k++) {
                values[k] = column.arrayElement(column.value.apply(rows.get(k)));
            }
            ps.setArray(i++, c.createArrayOf(column.kind.arrayType, values));
        }
        return i;
    }

    /** The SQL expression that stores {@code operand} (a placeholder or a column) in this column. */
    private String expression(Dialect dialect, String operand) {
        return switch (kind) {
            case JSON -> dialect.jsonValue(operand);
            case LEASE -> "(" + StoreClock.NOW + " + " + operand + ")";
            default -> operand;
        };
    }

    private void bind(PreparedStatement ps, int index, Object v) throws SQLException {
        switch (kind) {
            case TEXT, JSON -> ps.setString(index, (String) v);
            case INT -> ps.setInt(index, (Integer) v);
            case BIGINT -> ps.setLong(index, (Long) v);
            case LEASE -> {
                if (v == null) {
                    ps.setNull(index, Types.BIGINT);
                } else {
                    ps.setLong(index, (Long) v);
                }
            }
            case MICROS -> {
                if (v == null) {
                    ps.setNull(index, Types.BIGINT);
                } else {
                    ps.setLong(index, Micros.of((Instant) v));
                }
            }
        }
    }

    private Object arrayElement(Object v) {
        return kind == Kind.MICROS && v != null ? (Object) Micros.of((Instant) v) : v;
    }
}
