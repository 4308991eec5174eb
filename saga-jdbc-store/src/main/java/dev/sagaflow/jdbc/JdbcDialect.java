package dev.sagaflow.jdbc;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The databases the JDBC store speaks to. A store detects its database from the connection's
 * {@link java.sql.DatabaseMetaData} unless the host names one with
 * {@link JdbcSagaStore.Builder#dialect(JdbcDialect)}.
 *
 * <p>Each constant has a schema file in this jar, {@link #schemaResource()}, in which {@code ${prefix}}
 * stands for the table prefix; {@link #schemaSql(String)} returns it with the prefix filled in, for
 * migration tools. Timestamps are stored as {@code BIGINT} microseconds since the epoch (UTC) on every
 * database, so neither the JVM's nor the session's time zone matters. Immutable and thread-safe.
 */
public enum JdbcDialect {
    /**
     * PostgreSQL 12 or newer. Data and steps are {@code json} (data kept exactly as written); every
     * insert and update is a single statement in autocommit (writable common table expressions), so it
     * costs one round-trip and one commit; claims lock candidates with {@code FOR UPDATE SKIP LOCKED}
     * in one short transaction.
     */
    POSTGRESQL("postgresql"),
    /**
     * MySQL 8.0 or newer, and MariaDB 10.6 or newer (10.11 is the version tested), which share the
     * SQL used here. Data and steps are {@code LONGTEXT} checked by {@code json_valid} (which is
     * what {@code JSON} means on MariaDB; MySQL's binary {@code JSON} would not keep the text as
     * written). Each write is one transaction: the instance row, then its history row, then one
     * commit. Claims use {@code FOR UPDATE SKIP LOCKED} where the server has it (detected from its
     * version; assumed when the dialect is named explicitly). The driver must report found rows rather
     * than changed rows for updates, which is the default of both MariaDB Connector/J and MySQL
     * Connector/J ({@code useAffectedRows=false}).
     */
    MYSQL("mysql"),
    /**
     * H2 2.x, embedded or in memory: the default for tests and demos. Each write is one transaction
     * like on MySQL; claims lock rows with {@code FOR UPDATE} and then write each one with a version
     * check, so two claimers never both get an instance.
     */
    H2("h2");

    private final String fileName;

    JdbcDialect(String fileName) {
        this.fileName = fileName;
    }

    /**
     * The class-path location of this database's schema file, for example
     * {@code dev/sagaflow/jdbc/schema/postgresql.sql}. The file only creates what is missing and never
     * drops anything; {@code ${prefix}} stands for the table prefix.
     */
    public String schemaResource() {
        return "dev/sagaflow/jdbc/schema/" + fileName + ".sql";
    }

    /**
     * The schema file's text with {@code ${prefix}} replaced by {@code tablePrefix}.
     *
     * @throws IllegalArgumentException if {@code tablePrefix} is not a safe identifier prefix (see
     *     {@link JdbcSagaStore.Builder#tablePrefix(String)})
     */
    public String schemaSql(String tablePrefix) {
        String prefix = dev.sagaflow.jdbc.internal.Tables.checkPrefix(tablePrefix);
        String resource = schemaResource();
        try (InputStream in = JdbcDialect.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("schema file " + resource + " is missing from the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("${prefix}", prefix);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read schema file " + resource, e);
        }
    }
}
