package dev.sagaflow.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sagaflow.jdbc.internal.Dialect;
import java.lang.reflect.Proxy;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/** Detection from metadata alone, for servers and versions this machine does not run. */
class DialectDetectionTest {

    @Test
    void postgresql_is_detected_with_single_statement_writes_and_skip_locked() throws SQLException {
        Dialect dialect = Dialect.detect(metaData("PostgreSQL", "15.20 (Debian 15.20-0+deb12u1)"));

        assertThat(dialect.kind()).isEqualTo(JdbcDialect.POSTGRESQL);
        assertThat(dialect.supportsSingleStatementWrites()).isTrue();
        assertThat(dialect.supportsSkipLocked()).isTrue();
        assertThat(dialect.toString()).contains("PostgreSQL 15.20").contains("detected");
    }

    @Test
    void postgresql_11_is_detected_although_only_12_and_newer_are_supported() throws SQLException {
        assertThat(Dialect.detect(metaData("PostgreSQL", "11.22")).kind()).isEqualTo(JdbcDialect.POSTGRESQL);
    }

    @Test
    void postgresql_before_9_5_is_rejected() {
        assertThatThrownBy(() -> Dialect.detect(metaData("PostgreSQL", "9.4.26")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("9.4.26");
    }

    @Test
    void mariadb_from_10_6_skips_locked_rows_and_older_ones_do_not() throws SQLException {
        Dialect current = Dialect.detect(metaData("MariaDB", "10.11.19-MariaDB-0+deb12u1"));
        Dialect old = Dialect.detect(metaData("MariaDB", "10.5.8-MariaDB"));

        assertThat(current.kind()).isEqualTo(JdbcDialect.MYSQL);
        assertThat(current.supportsSkipLocked()).isTrue();
        assertThat(current.lockClause()).isEqualTo(" FOR UPDATE SKIP LOCKED");
        assertThat(current.database()).isEqualTo("MariaDB 10.11.19");
        assertThat(old.supportsSkipLocked()).isFalse();
        assertThat(old.lockClause()).isEqualTo(" FOR UPDATE");
    }

    @Test
    void mariadb_seen_through_mysql_connector_j_is_still_mariadb() throws SQLException {
        Dialect dialect = Dialect.detect(metaData("MySQL", "5.5.5-10.11.6-MariaDB"));

        assertThat(dialect.database()).isEqualTo("MariaDB 10.11.6");
        assertThat(dialect.supportsSkipLocked()).isTrue();
    }

    @Test
    void mysql_skips_locked_rows_from_8_0_1() throws SQLException {
        assertThat(Dialect.detect(metaData("MySQL", "8.0.36")).supportsSkipLocked()).isTrue();
        assertThat(Dialect.detect(metaData("MySQL", "8.0.0-dmr")).supportsSkipLocked()).isFalse();
        assertThat(Dialect.detect(metaData("MySQL", "5.7.44")).supportsSkipLocked()).isFalse();
    }

    @Test
    void h2_2_is_detected_and_locks_without_skipping() throws SQLException {
        Dialect dialect = Dialect.detect(metaData("H2", "2.3.232 (2024-08-11)"));

        assertThat(dialect.kind()).isEqualTo(JdbcDialect.H2);
        assertThat(dialect.supportsSkipLocked()).isFalse();
        assertThat(dialect.supportsSingleStatementWrites()).isFalse();
    }

    @Test
    void h2_1_is_rejected() {
        assertThatThrownBy(() -> Dialect.detect(metaData("H2", "1.4.200 (2019-10-14)")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("H2 2.x");
    }

    @Test
    void an_unknown_database_is_rejected_with_a_hint_to_name_the_dialect() {
        assertThatThrownBy(() -> Dialect.detect(metaData("Apache Derby", "10.17.1.0")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Apache Derby")
                .hasMessageContaining("JdbcSagaStore.Builder.dialect(JdbcDialect)");
    }

    @Test
    void a_named_dialect_assumes_a_current_server() {
        assertThat(Dialect.of(JdbcDialect.MYSQL).supportsSkipLocked()).isTrue();
        assertThat(Dialect.of(JdbcDialect.POSTGRESQL).supportsSingleStatementWrites()).isTrue();
        assertThat(Dialect.of(JdbcDialect.H2).detected()).isFalse();
    }

    private static DatabaseMetaData metaData(String product, String version) {
        return (DatabaseMetaData) Proxy.newProxyInstance(DatabaseMetaData.class.getClassLoader(),
                new Class<?>[] {DatabaseMetaData.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getDatabaseProductName" -> product;
                    case "getDatabaseProductVersion" -> version;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}
