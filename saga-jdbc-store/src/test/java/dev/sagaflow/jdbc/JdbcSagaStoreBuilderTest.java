package dev.sagaflow.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sagaflow.SagaStoreException;
import dev.sagaflow.jdbc.support.CountingDataSource;
import dev.sagaflow.jdbc.support.TestDatabase;
import java.lang.reflect.Proxy;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JdbcSagaStoreBuilderTest {

    @Test
    void a_data_source_is_required() {
        assertThatThrownBy(() -> JdbcSagaStore.builder(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("dataSource cannot be null");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1saga_", "saga-", "saga_;", "my schema", "public.saga_", "sagä_",
        "a_prefix_that_is_longer_than_30_chars_"})
    void an_unsafe_table_prefix_is_rejected(String prefix) {
        assertThatThrownBy(() -> JdbcSagaStore.builder(TestDatabase.H2.dataSource()).tablePrefix(prefix))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tablePrefix must be");
    }

    @ParameterizedTest
    @ValueSource(strings = {"saga_", "_", "Billing_", "s2", "abcdefghijklmnopqrstuvwxyz0123"})
    void a_safe_table_prefix_is_accepted(String prefix) {
        JdbcSagaStore store = JdbcSagaStore.builder(TestDatabase.H2.dataSource()).dialect(JdbcDialect.H2)
                .tablePrefix(prefix).build();

        assertThat(store.tablePrefix()).isEqualTo(prefix);
    }

    @Test
    void a_history_table_left_by_an_earlier_build_is_named_when_the_schema_is_created() {
        TestDatabase.H2.execute("DROP TABLE IF EXISTS sfold_history");
        TestDatabase.H2.execute("CREATE TABLE sfold_history (id BIGINT PRIMARY KEY, saga_id VARCHAR(100), at BIGINT,"
                + " type VARCHAR(40), step VARCHAR(200), attempt INTEGER, detail CLOB)");
        try {
            assertThatThrownBy(() -> JdbcSagaStore.builder(TestDatabase.H2.dataSource()).tablePrefix("sfold_")
                    .createSchemaIfMissing(true).build())
                    .isInstanceOf(SagaStoreException.class)
                    .hasMessageContaining("sfold_history")
                    .hasMessageContaining("earlier build");
        } finally {
            TestDatabase.H2.execute("DROP TABLE IF EXISTS sfold_history");
            TestDatabase.H2.execute("DROP TABLE IF EXISTS sfold_instances");
        }
    }

    @Test
    void the_default_table_prefix_is_saga_and_schema_creation_is_off() {
        CountingDataSource counting = new CountingDataSource(TestDatabase.H2.dataSource());

        JdbcSagaStore store = JdbcSagaStore.builder(counting).dialect(JdbcDialect.H2).build();

        assertThat(store.tablePrefix()).isEqualTo("saga_");
        assertThat(store.toString()).contains("createSchemaIfMissing false");
        assertThat(counting.connections()).isZero();
    }

    @Test
    void build_copies_the_settings_so_later_builder_calls_change_nothing() {
        JdbcSagaStore.Builder builder = JdbcSagaStore.builder(TestDatabase.H2.dataSource()).dialect(JdbcDialect.H2)
                .tablePrefix("first_");
        JdbcSagaStore store = builder.build();

        builder.tablePrefix("second_").dialect(JdbcDialect.POSTGRESQL);

        assertThat(store.tablePrefix()).isEqualTo("first_");
        assertThat(store.dialect()).isEqualTo(JdbcDialect.H2);
    }

    @Test
    void to_string_prints_every_setting() {
        JdbcSagaStore store = JdbcSagaStore.builder(TestDatabase.H2.dataSource()).tablePrefix("sft_print_")
                .createSchemaIfMissing(true).build();

        assertThat(store.toString())
                .contains("H2 dialect for H2 2.")
                .contains("(detected)")
                .contains("skip locked no")
                .contains("single-statement writes no")
                .contains("group commit no")
                .contains("sft_print_instances, sft_print_history")
                .contains("createSchemaIfMissing true")
                .contains("group commit off");
    }

    @Test
    void group_commit_on_a_database_that_cannot_do_it_says_it_writes_one_transaction_per_write() {
        JdbcSagaStore store = JdbcSagaStore.builder(TestDatabase.H2.dataSource()).dialect(JdbcDialect.H2)
                .groupCommit(true).build();

        assertThat(store.toString()).contains("group commit requested but not available on H2: one transaction per write");
    }

    @Test
    void group_commit_settings_without_group_commit_are_rejected_rather_than_ignored() {
        assertThatThrownBy(() -> JdbcSagaStore.builder(TestDatabase.H2.dataSource()).dialect(JdbcDialect.H2)
                .groupCommitMaxBatchSize(10).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("apply only with groupCommit(true)");
    }

    @Test
    void bad_group_commit_settings_are_rejected() {
        JdbcSagaStore.Builder builder = JdbcSagaStore.builder(TestDatabase.H2.dataSource());

        assertThatThrownBy(() -> builder.groupCommitMaxBatchSize(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("groupCommitMaxBatchSize must be >= 1, was 0");
        assertThatThrownBy(() -> builder.groupCommitMaxBatchesInFlight(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("groupCommitMaxBatchesInFlight must be >= 1, was 0");
        assertThatThrownBy(() -> builder.groupCommitMaxWait(java.time.Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("groupCommitMaxWait must be between 0 and 1 s");
        assertThatThrownBy(() -> builder.groupCommitMaxWait(null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("groupCommitMaxWait cannot be null");
    }

    @Test
    void a_database_that_cannot_be_reached_fails_the_build_when_detection_needs_it() {
        DataSource down = (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(),
                new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
                    throw new SQLException("connection refused", "08001");
                });

        assertThatThrownBy(() -> JdbcSagaStore.builder(down).build())
                .isInstanceOf(SagaStoreException.class)
                .hasMessageContaining("dialect detection failed")
                .hasMessageContaining("connection refused");
        assertThat(JdbcSagaStore.builder(down).dialect(JdbcDialect.H2).build().dialect()).isEqualTo(JdbcDialect.H2);
    }
}
